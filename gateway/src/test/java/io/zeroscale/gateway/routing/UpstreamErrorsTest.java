package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.gateway.error.OpenAiError;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class UpstreamErrorsTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static OpenAiError of(int status, String body) {
    return UpstreamErrors.of(status, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void vllmsErrorGetsOpenAisTypeAndAStringOrNullCode() {
    OpenAiError e =
        of(
            400,
            "{\"object\":\"error\",\"message\":\"max_tokens must be at least 1, got -1.\","
                + "\"type\":\"BadRequestError\",\"param\":null,\"code\":400}");
    assertThat(e)
        .isEqualTo(
            new OpenAiError(
                400,
                "max_tokens must be at least 1, got -1.",
                "invalid_request_error",
                null,
                null));
  }

  @Test
  void anOpenAiShapedErrorIsKept() {
    OpenAiError e =
        of(
            429,
            "{\"error\":{\"message\":\"busy\",\"type\":\"rate_limit_error\",\"param\":\"model\","
                + "\"code\":\"too_many\"}}");
    assertThat(e).isEqualTo(new OpenAiError(429, "busy", "rate_limit_error", "model", "too_many"));
  }

  @Test
  void fastApiDetailsAndPlainTextBecomeTheMessage() {
    assertThat(of(422, "{\"detail\":\"Field required\"}").message()).isEqualTo("Field required");
    assertThat(of(422, "{\"detail\":[{\"loc\":[\"body\",\"model\"]}]}").message())
        .isEqualTo("[{\"loc\":[\"body\",\"model\"]}]");
    OpenAiError text = of(500, "Internal Server Error\n");
    assertThat(text.message()).isEqualTo("Internal Server Error");
    assertThat(text.type()).isEqualTo("server_error");
    assertThat(of(502, "").message()).isEqualTo("The model instance answered HTTP 502.");
    assertThat(of(503, "{\"error\":\"overloaded\"}").message()).isEqualTo("overloaded");
    assertThat(of(404, "{\"message\":{\"nested\":1}}").message())
        .isEqualTo("The model instance answered HTTP 404.");
  }

  @Test
  void longAndUnreadableBodiesAreBounded() {
    String huge = "x".repeat(10_000);
    assertThat(of(500, huge).message()).hasSize(UpstreamErrors.MAX_MESSAGE + 1).endsWith("…");
    assertThat(UpstreamErrors.of(500, null).message()).contains("too large");
  }

  @Test
  void theWireBodyHasAllFourFieldsWithNulls() {
    JsonNode n =
        JSON.readTree(
            UpstreamErrors.normalize(400, "{\"message\":\"bad\",\"code\":400}".getBytes()));
    JsonNode error = n.get("error");
    assertThat(error.propertyNames()).containsExactly("message", "type", "param", "code");
    assertThat(error.get("code").isNull()).isTrue();
    assertThat(error.get("param").isNull()).isTrue();
    assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
  }
}
