package io.zeroscale.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.math.BigDecimal;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class JsonBodyTest {

  private final JsonMapper json = JsonMapper.builder().build();

  private static OpenAiError errorOf(Runnable r) {
    try {
      r.run();
    } catch (ZeroscaleException e) {
      return e.error();
    }
    throw new AssertionError("expected a ZeroscaleException");
  }

  @Test
  void malformedOrNonObjectBodiesAre400() {
    assertThat(errorOf(() -> JsonBody.parse(json, "{\"a\":")).status()).isEqualTo(400);
    assertThat(errorOf(() -> JsonBody.parse(json, "[1]")).status()).isEqualTo(400);
    assertThat(errorOf(() -> JsonBody.parse(json, "")).status()).isEqualTo(400);
  }

  @Test
  void typedReadsNameTheFieldOn422() {
    JsonBody body =
        JsonBody.parse(json, "{\"n\":\"x\",\"s\":{\"min_instances\":-1.5},\"b\":1,\"d\":\"1.25\"}");
    OpenAiError e = errorOf(() -> body.optionalInt("n"));
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.param()).isEqualTo("n");
    JsonBody settings = body.optionalObject("s").orElseThrow();
    assertThat(errorOf(() -> settings.optionalInt("min_instances")).param())
        .isEqualTo("s.min_instances");
    assertThat(errorOf(() -> body.optionalBoolean("b")).param()).isEqualTo("b");
    assertThat(body.optionalDecimal("d")).contains(new BigDecimal("1.25"));
    assertThat(errorOf(() -> body.requiredString("missing")).message()).contains("required");
  }

  @Test
  void unknownFieldsAreRefused() {
    JsonBody body = JsonBody.parse(json, "{\"name\":\"a\",\"nmae\":\"b\"}");
    assertThatThrownBy(() -> body.allowOnly(Set.of("name")))
        .isInstanceOfSatisfying(
            ZeroscaleException.class, e -> assertThat(e.error().param()).isEqualTo("nmae"));
  }

  @Test
  void instantsAndStringLists() {
    JsonBody body =
        JsonBody.parse(
            json, "{\"t\":\"2026-12-31T23:59:59Z\",\"bad\":\"tomorrow\",\"l\":[\"a\",1]}");
    assertThat(body.optionalInstant("t")).isPresent();
    assertThat(errorOf(() -> body.optionalInstant("bad")).message()).contains("ISO-8601");
    assertThat(errorOf(() -> body.requiredStringList("l")).param()).isEqualTo("l");
  }
}
