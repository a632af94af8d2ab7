package io.zeroscale.gateway.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

class OpenAiErrorTest {

  @Test
  void bodyHasOpenAiShapeWithExplicitNulls() {
    Map<String, Object> body = OpenAiError.of(404, "The model `x` does not exist.").body();
    assertThat(body).containsOnlyKeys("error");
    @SuppressWarnings("unchecked")
    Map<String, Object> error = (Map<String, Object>) body.get("error");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("message", "The model `x` does not exist.");
    expected.put("type", "not_found_error");
    expected.put("param", null);
    expected.put("code", null);
    assertThat(error).containsExactlyEntriesOf(expected);
  }

  @Test
  void everyStatusOfTheSpecHasAType() {
    assertThat(OpenAiError.typeFor(400)).isEqualTo("invalid_request_error");
    assertThat(OpenAiError.typeFor(401)).isEqualTo("authentication_error");
    assertThat(OpenAiError.typeFor(403)).isEqualTo("permission_error");
    assertThat(OpenAiError.typeFor(404)).isEqualTo("not_found_error");
    assertThat(OpenAiError.typeFor(413)).isEqualTo("invalid_request_error");
    assertThat(OpenAiError.typeFor(422)).isEqualTo("invalid_request_error");
    assertThat(OpenAiError.typeFor(429)).isEqualTo("rate_limit_error");
    assertThat(OpenAiError.typeFor(503)).isEqualTo("service_unavailable_error");
    assertThat(OpenAiError.typeFor(504)).isEqualTo("timeout_error");
    assertThat(OpenAiError.typeFor(500)).isEqualTo("server_error");
  }

  @Test
  void mapsFrameworkAndOwnExceptions() {
    assertThat(
            OpenAiErrorWebExceptionHandler.toError(
                new ResponseStatusException(HttpStatus.NOT_FOUND)))
        .extracting(OpenAiError::status, OpenAiError::type)
        .containsExactly(404, "not_found_error");
    assertThat(
            OpenAiErrorWebExceptionHandler.toError(
                new ResponseStatusException(HttpStatus.PAYLOAD_TOO_LARGE)))
        .extracting(OpenAiError::status, OpenAiError::code)
        .containsExactly(413, "request_too_large");
    OpenAiError own =
        OpenAiError.of(422, "min_instances must be <= max_instances", "settings", null);
    assertThat(OpenAiErrorWebExceptionHandler.toError(new ZeroscaleException(own))).isSameAs(own);
  }

  @Test
  void unexpectedExceptionsNeverLeakTheirMessage() {
    OpenAiError error =
        OpenAiErrorWebExceptionHandler.toError(new IllegalStateException("password=hunter2"));
    assertThat(error.status()).isEqualTo(500);
    assertThat(error.message()).doesNotContain("hunter2").isEqualTo("Internal server error");
  }
}
