package io.zeroscale.sim.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.sim.engine.InjectedFailureException;
import io.zeroscale.sim.engine.QueueFullException;
import io.zeroscale.sim.openai.InvalidRequestException;
import io.zeroscale.sim.openai.Json;
import io.zeroscale.sim.openai.ModelNotFoundException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ApiErrorTest {

  private static JsonNode error(ApiError e) {
    JsonNode root = Json.parseObject(e.body());
    assertThat(root.properties()).hasSize(1);
    JsonNode error = root.get("error");
    assertThat(error.has("message")).isTrue();
    assertThat(error.has("type")).isTrue();
    assertThat(error.has("param")).isTrue();
    assertThat(error.get("code").intValue()).isEqualTo(e.status());
    return error;
  }

  @Test
  void eachFailureMapsToItsStatusAndOpenAiShape() {
    ApiError bad = ApiError.from(new InvalidRequestException("max_tokens", "too small"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(error(bad).get("param").stringValue()).isEqualTo("max_tokens");

    ApiError missing = ApiError.from(new ModelNotFoundException("x"));
    assertThat(missing.status()).isEqualTo(404);
    JsonNode body = error(missing);
    assertThat(body.get("message").stringValue()).isEqualTo("The model `x` does not exist.");
    assertThat(body.get("type").stringValue()).isEqualTo("NotFoundError");
    assertThat(body.get("param").stringValue()).isEqualTo("model");

    assertThat(ApiError.from(new QueueFullException(8, 1000)).status()).isEqualTo(429);

    ApiError injected = ApiError.from(new InjectedFailureException());
    assertThat(injected.status()).isEqualTo(500);
    assertThat(error(injected).get("message").stringValue()).isEqualTo("Injected failure");
    assertThat(error(injected).get("type").stringValue()).isEqualTo("server_error");

    ApiError unknown = ApiError.from(new IllegalStateException("secret prompt text"));
    assertThat(unknown.status()).isEqualTo(500);
    assertThat(error(unknown).get("message").stringValue()).doesNotContain("secret");

    assertThat(error(ApiError.notReady()).get("param").isNull()).isTrue();
    assertThat(ApiError.notReady().status()).isEqualTo(503);
  }
}
