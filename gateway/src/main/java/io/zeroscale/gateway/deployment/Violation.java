package io.zeroscale.gateway.deployment;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;

/**
 * A rule a request breaks: the field ({@code param}, a path such as {@code
 * settings.min_instances}), what is wrong (with the value), and a machine-readable code. A 422 once
 * it reaches the client.
 */
public record Violation(String param, String message, String code) {

  public static Violation invalid(String param, String message) {
    return new Violation(param, message, "invalid_value");
  }

  public ZeroscaleException toException() {
    return new ZeroscaleException(OpenAiError.of(422, message, param, code));
  }
}
