package io.zeroscale.sim.openai;

import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import tools.jackson.core.JacksonException;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The shared JSON mapper and the field readers every request parser uses. */
public final class Json {

  /** Thread-safe; one per process. */
  public static final JsonMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  /** Parses a request body that must be a JSON object. */
  public static JsonNode parseObject(byte[] body) {
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (JacksonException e) {
      throw new InvalidRequestException(null, "The request body is not valid JSON.");
    }
    if (node == null || !node.isObject()) {
      throw new InvalidRequestException(null, "The request body must be a JSON object.");
    }
    return node;
  }

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static byte[] bytes(JsonNode node) {
    return MAPPER.writeValueAsBytes(node);
  }

  public static String string(JsonNode node) {
    return MAPPER.writeValueAsString(node);
  }

  /** Appends text escaped for inside a JSON string literal (no surrounding quotes). */
  public static void appendEscaped(StringBuilder sb, String text) {
    JsonStringEncoder.getInstance().quoteAsString(text, sb);
  }

  /** A new OpenAI-style id: {@code prefix} + 32 hex digits. */
  public static String newId(String prefix) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return prefix + String.format("%016x%016x", random.nextLong(), random.nextLong());
  }

  /** The request's {@code model}: a required non-empty string. */
  public static String model(JsonNode body) {
    return requiredString(body, "model");
  }

  public static String requiredString(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      throw new InvalidRequestException(field, "Missing required parameter: '" + field + "'.");
    }
    if (!node.isString()) {
      throw new InvalidRequestException(field, "'" + field + "' must be a string.");
    }
    String value = node.stringValue();
    if (value.isEmpty()) {
      throw new InvalidRequestException(field, "'" + field + "' must not be empty.");
    }
    return value;
  }

  /** An optional string field, {@code fallback} when absent or null. */
  public static String optionalString(JsonNode body, String field, String fallback) {
    JsonNode node = optional(body, field, JsonNode::isString, "a string");
    return node == null ? fallback : node.stringValue();
  }

  /** An optional integer in [min, max]. */
  public static OptionalInt optionalInt(JsonNode body, String field, int min, int max) {
    JsonNode node =
        optional(body, field, n -> n.isIntegralNumber() && n.canConvertToInt(), "an integer");
    if (node == null) {
      return OptionalInt.empty();
    }
    int value = node.intValue();
    if (value < min) {
      throw new InvalidRequestException(
          field, "'" + field + "' must be at least " + min + ", got " + value + ".");
    }
    if (value > max) {
      throw new InvalidRequestException(
          field, "'" + field + "' must be at most " + max + ", got " + value + ".");
    }
    return OptionalInt.of(value);
  }

  public static boolean optionalBoolean(JsonNode body, String field, boolean fallback) {
    JsonNode node = optional(body, field, JsonNode::isBoolean, "a boolean");
    return node == null ? fallback : node.booleanValue();
  }

  /** The field's value, null when absent or null; one that is not {@code a kind} is refused. */
  private static JsonNode optional(
      JsonNode body, String field, Predicate<JsonNode> isKind, String kind) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!isKind.test(node)) {
      throw new InvalidRequestException(field, "'" + field + "' must be " + kind + ".");
    }
    return node;
  }
}
