package io.zeroscale.gateway.error;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of every error the gateway answers, in OpenAI's shape: {@code
 * {"error":{"message":..,"type":..,"param":..,"code":..}}}. {@code param} and {@code code} are
 * always present (possibly null), as OpenAI SDKs expect.
 *
 * @param status the HTTP status it is sent with (not serialized)
 */
public record OpenAiError(int status, String message, String type, String param, String code) {

  /** The {@code type} for a status, following OpenAI's names where OpenAI has one. */
  public static String typeFor(int status) {
    return switch (status) {
      case 400, 405, 413, 415, 422 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 402 -> "insufficient_quota";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 409 -> "conflict_error";
      case 429 -> "rate_limit_error";
      case 503 -> "service_unavailable_error";
      case 504 -> "timeout_error";
      default -> status >= 500 ? "server_error" : "invalid_request_error";
    };
  }

  public static OpenAiError of(int status, String message) {
    return new OpenAiError(status, message, typeFor(status), null, null);
  }

  public static OpenAiError of(int status, String message, String param, String code) {
    return new OpenAiError(status, message, typeFor(status), param, code);
  }

  /** The JSON body: a map keeps nulls explicit whatever the serializer's inclusion settings. */
  public Map<String, Object> body() {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    return Map.of("error", error);
  }
}
