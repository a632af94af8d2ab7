package io.zeroscale.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.math.BigDecimal;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonBodyTest {

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
    assertThat(errorOf(() -> JsonBody.parse("{\"a\":")).status()).isEqualTo(400);
    assertThat(errorOf(() -> JsonBody.parse("[1]")).status()).isEqualTo(400);
    assertThat(errorOf(() -> JsonBody.parse("")).status()).isEqualTo(400);
  }

  @Test
  void typedReadsNameTheFieldOn422() {
    JsonBody body =
        JsonBody.parse("{\"n\":\"x\",\"s\":{\"min_instances\":-1.5},\"b\":1,\"d\":\"1.25\"}");
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
    JsonBody body = JsonBody.parse("{\"name\":\"a\",\"nmae\":\"b\"}");
    assertThatThrownBy(() -> body.allowOnly(Set.of("name")))
        .isInstanceOfSatisfying(
            ZeroscaleException.class, e -> assertThat(e.error().param()).isEqualTo("nmae"));
  }

  @Test
  void instantsAndStringLists() {
    JsonBody body =
        JsonBody.parse("{\"t\":\"2026-12-31T23:59:59Z\",\"bad\":\"tomorrow\",\"l\":[\"a\",1]}");
    assertThat(body.optionalInstant("t")).isPresent();
    assertThat(errorOf(() -> body.optionalInstant("bad")).message()).contains("ISO-8601");
    assertThat(errorOf(() -> body.requiredStringList("l")).param()).isEqualTo("l");
  }

  // Input bounds (docs/api.md): every refusal is small.

  @Test
  void aDuplicateKeyIs400NotTheLastOneWins() {
    OpenAiError e = errorOf(() -> JsonBody.parse("{\"num_gpus\":1,\"num_gpus\":2}"));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.code()).isEqualTo("invalid_json");
    assertThat(e.message()).contains("'num_gpus' more than once");
    OpenAiError nested = errorOf(() -> JsonBody.parse("{\"settings\":{\"a\":1,\"a\":1}}"));
    assertThat(nested.status()).isEqualTo(400);
  }

  @Test
  void deepNestingIs400WithoutInternalNames() {
    String deep = "{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}";
    OpenAiError e = errorOf(() -> JsonBody.parse(deep));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.code()).isEqualTo("invalid_json");
    assertThat(e.message()).contains("nest").doesNotContain("StreamReadConstraints");
  }

  @Test
  void aLongNumberIs400() {
    OpenAiError e = errorOf(() -> JsonBody.parse("{\"num_gpus\":" + "9".repeat(500) + "}"));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.message()).contains("number").doesNotContain("StreamReadConstraints");
    assertThat(e.message().length()).isLessThan(300);
  }

  @Test
  void aLongStringIs400() {
    OpenAiError e = errorOf(() -> JsonBody.parse("{\"name\":\"" + "x".repeat(100_000) + "\"}"));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.message()).contains("string").doesNotContain("StreamReadConstraints");
    assertThat(e.message().length()).isLessThan(300);
  }

  /** Found by RequestBodyFuzzTest: Jackson threw a bare NumberFormatException (a 500). */
  @ParameterizedTest
  @ValueSource(strings = {"0E+2147483648", "1e99999999999", "-9.9E+2147483677"})
  void aJsonNumberWhoseExponentIsBeyondIntIs400(String number) {
    OpenAiError e = errorOf(() -> JsonBody.parse("{\"d\":" + number + "}"));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.code()).isEqualTo("invalid_json");
  }

  @Test
  void contentAfterTheObjectIs400() {
    assertThat(errorOf(() -> JsonBody.parse("{\"a\":1} {\"a\":2}")).status()).isEqualTo(400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e400", "-1e400", "1e-400", "1E+2147483647"})
  void anOutOfRangeJsonNumberIs422NotA500(String number) {
    JsonBody body = JsonBody.parse("{\"spend_limit_usd\":" + number + "}");
    OpenAiError e = errorOf(() -> body.optionalDecimal("spend_limit_usd"));
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.param()).isEqualTo("spend_limit_usd");
    assertThat(e.message()).contains("at most 18 digits").hasSizeLessThan(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e-20000000", "1e-2147483647", "1e2147483647", "-1e-2147483648"})
  void aDecimalStringWithAHugeExponentIs422AndSmall(String value) {
    JsonBody body = JsonBody.parse("{\"target_utilization\":\"" + value + "\"}");
    OpenAiError e = errorOf(() -> body.optionalDecimal("target_utilization"));
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.param()).isEqualTo("target_utilization");
    assertThat(e.message().length()).isLessThan(200);
  }

  @Test
  void aLongDecimalStringIsRefusedBeforeItIsParsedAndNotEchoedInFull() {
    JsonBody body = JsonBody.parse("{\"d\":\"" + "1".repeat(5_000) + "\"}");
    OpenAiError e = errorOf(() -> body.optionalDecimal("d"));
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.message().length()).isLessThan(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2147483648", "-2147483649", "99999999999999999999", "1e3", "1.0"})
  void anIntegerOutsideIntIs422(String number) {
    JsonBody body = JsonBody.parse("{\"num_gpus\":" + number + "}");
    OpenAiError e = errorOf(() -> body.optionalInt("num_gpus"));
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.param()).isEqualTo("num_gpus");
    assertThat(e.message()).containsAnyOf("must be an integer", "out of range");
  }

  @Test
  void rejectedValuesAreEchoedInAtMost40Characters() {
    String big = "x".repeat(5_000);
    JsonBody body =
        JsonBody.parse(
            "{\"b\":["
                + "1,".repeat(2_000)
                + "1],\"s\":\""
                + big
                + "\",\"o\":{\"k\":\""
                + big
                + "\"},\""
                + "f".repeat(200)
                + "\":1}");
    for (Runnable r :
        new Runnable[] {
          () -> body.optionalBoolean("b"),
          () -> body.optionalBoolean("s"),
          () -> body.optionalInt("s"),
          () -> body.optionalInt("o"),
          () -> body.optionalDecimal("s"),
          () -> body.optionalDecimal("o"),
          () -> body.optionalInstant("s"),
          () -> body.allowOnly(Set.of("b", "s", "o")),
        }) {
      OpenAiError e = errorOf(r);
      assertThat(e.status()).isEqualTo(422);
      assertThat(e.message().length()).as(e.message()).isLessThan(200);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "+999999999-01-01T00:00:00Z",
        "-999999999-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z"
      })
  void anInstantOutsideTheYearsADatabaseStoresIs422(String value) {
    JsonBody body = JsonBody.parse("{\"expires_at\":\"" + value + "\"}");
    OpenAiError e = errorOf(() -> body.optionalInstant("expires_at"));
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.param()).isEqualTo("expires_at");
  }
}
