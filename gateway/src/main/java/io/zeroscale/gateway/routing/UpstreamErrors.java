package io.zeroscale.gateway.routing;

import io.zeroscale.gateway.error.OpenAiError;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An instance's error answer in OpenAI's shape. vLLM answers {@code
 * {"object":"error","message":"…","type":"BadRequestError","param":null,"code":400}}, FastAPI
 * {@code {"detail":"…"}}, a crashing server plain text or HTML; OpenAI SDKs expect {@code
 * {"error":{"message","type","param","code"}}} with {@code type} one of OpenAI's names and {@code
 * code} a string or null. The instance's message is kept (bounded), and so is its status.
 */
final class UpstreamErrors {

  /** An instance's error body larger than this is not read: its message would not help anyway. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /** Longest message passed on, in characters. */
  static final int MAX_MESSAGE = 2000;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static final Set<String> OPENAI_TYPES =
      Set.of(
          "invalid_request_error",
          "authentication_error",
          "permission_error",
          "not_found_error",
          "conflict_error",
          "rate_limit_error",
          "insufficient_quota",
          "server_error",
          "service_unavailable_error",
          "timeout_error");

  private UpstreamErrors() {}

  /**
   * The OpenAI-shaped body for an instance's {@code status} answer.
   *
   * @param body what the instance sent; null when it was too large to read
   */
  static byte[] normalize(int status, byte[] body) {
    OpenAiError e = of(status, body);
    Map<String, Object> wire = e.body();
    return JSON.writeValueAsBytes(wire);
  }

  static OpenAiError of(int status, byte[] body) {
    String fallback = fallback(status);
    if (body == null) {
      return error(
          status, fallback + " (its error message was too large to pass on)", null, null, null);
    }
    String text = new String(body, StandardCharsets.UTF_8).strip();
    JsonNode root = parse(text);
    if (root == null || !root.isObject()) {
      return error(status, text.isEmpty() ? fallback : text, null, null, null);
    }
    JsonNode node = root.path("error").isObject() ? root.get("error") : root;
    String message = textOf(node.get("message"));
    if (message == null && root.get("error") != null && root.get("error").isString()) {
      message = root.get("error").asString();
    }
    if (message == null && root.get("detail") != null) {
      JsonNode detail = root.get("detail");
      message = detail.isString() ? detail.asString() : detail.toString();
    }
    return error(
        status,
        message == null || message.isBlank() ? fallback : message,
        textOf(node.get("type")),
        textOf(node.get("param")),
        textOf(node.get("code")));
  }

  private static OpenAiError error(
      int status, String message, String type, String param, String code) {
    String bounded =
        message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message;
    String openAiType =
        type != null && OPENAI_TYPES.contains(type) ? type : OpenAiError.typeFor(status);
    return new OpenAiError(status, bounded, openAiType, bounded(param), bounded(code));
  }

  private static String bounded(String s) {
    return s == null || s.length() <= 200 ? s : s.substring(0, 200);
  }

  /** A JSON string's text; numbers, objects and the rest are not OpenAI's string fields. */
  private static String textOf(JsonNode n) {
    return n != null && n.isString() ? n.asString() : null;
  }

  private static JsonNode parse(String text) {
    if (text.isEmpty() || (text.charAt(0) != '{')) {
      return null;
    }
    try {
      return JSON.readTree(text);
    } catch (JacksonException e) {
      return null;
    }
  }

  private static String fallback(int status) {
    return "The model instance answered HTTP " + status + ".";
  }
}
