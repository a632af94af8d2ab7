package io.zeroscale.gateway.web;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A JSON object from a request body, read field by field so that every problem becomes the exact
 * OpenAI-shaped error: 400 for a body that is not a JSON object, 422 naming the field ({@code
 * param}) for a missing field, a wrong type or an unknown field.
 */
public final class JsonBody {

  private final JsonNode node;
  private final String prefix;

  private JsonBody(JsonNode node, String prefix) {
    this.node = node;
    this.prefix = prefix;
  }

  /** Parses a body; an empty or non-object body is a 400. */
  public static JsonBody parse(JsonMapper json, String body) {
    if (body == null || body.isBlank()) {
      throw new ZeroscaleException(
          OpenAiError.of(400, "The request body must be a JSON object.", null, "invalid_json"));
    }
    JsonNode node;
    try {
      node = json.readTree(body);
    } catch (JacksonException e) {
      throw new ZeroscaleException(
          OpenAiError.of(
              400,
              "The request body is not valid JSON: " + e.getOriginalMessage(),
              null,
              "invalid_json"));
    }
    if (node == null || !node.isObject()) {
      throw new ZeroscaleException(
          OpenAiError.of(400, "The request body must be a JSON object.", null, "invalid_json"));
    }
    return new JsonBody(node, "");
  }

  /** Refuses fields the endpoint does not know, so typos are not silently ignored. */
  public JsonBody allowOnly(Set<String> fields) {
    for (String name : node.propertyNames()) {
      if (!fields.contains(name)) {
        throw invalid(name, "Unknown field '" + prefix + name + "'. Known fields: " + fields + ".");
      }
    }
    return this;
  }

  public boolean has(String field) {
    return node.has(field);
  }

  /** Present and explicitly null. */
  public boolean isNull(String field) {
    return node.has(field) && node.get(field).isNull();
  }

  public String requiredString(String field) {
    return optionalString(field)
        .orElseThrow(() -> invalid(field, "'" + path(field) + "' is required."));
  }

  public Optional<String> optionalString(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isString()) {
      throw invalid(field, "'" + path(field) + "' must be a string.");
    }
    return Optional.of(v.stringValue());
  }

  public Optional<Integer> optionalInt(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw invalid(field, "'" + path(field) + "' must be an integer, got " + v + ".");
    }
    return Optional.of(v.intValue());
  }

  public Optional<BigDecimal> optionalDecimal(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (v.isNumber()) {
      return Optional.of(v.decimalValue());
    }
    if (v.isString()) {
      try {
        return Optional.of(new BigDecimal(v.stringValue().strip()));
      } catch (NumberFormatException e) {
        throw invalid(field, "'" + path(field) + "' must be a decimal number, got " + v + ".");
      }
    }
    throw invalid(field, "'" + path(field) + "' must be a number, got " + v + ".");
  }

  public Optional<Boolean> optionalBoolean(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isBoolean()) {
      throw invalid(field, "'" + path(field) + "' must be true or false, got " + v + ".");
    }
    return Optional.of(v.booleanValue());
  }

  public Optional<Instant> optionalInstant(String field) {
    return optionalString(field)
        .map(
            s -> {
              try {
                return Instant.parse(s);
              } catch (DateTimeParseException e) {
                throw invalid(
                    field,
                    "'"
                        + path(field)
                        + "' must be an ISO-8601 instant such as 2026-12-31T23:59:59Z, got '"
                        + s
                        + "'.");
              }
            });
  }

  public List<String> requiredStringList(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw invalid(field, "'" + path(field) + "' is required.");
    }
    if (!v.isArray()) {
      throw invalid(field, "'" + path(field) + "' must be an array of strings.");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isString()) {
        throw invalid(field, "'" + path(field) + "' must be an array of strings.");
      }
      out.add(e.stringValue());
    }
    return out;
  }

  /** A nested object, for fields such as {@code settings}. */
  public Optional<JsonBody> optionalObject(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isObject()) {
      throw invalid(field, "'" + path(field) + "' must be an object.");
    }
    return Optional.of(new JsonBody(v, path(field) + "."));
  }

  /** A 422 for this field, with its full path as {@code param}. */
  public ZeroscaleException invalid(String field, String message) {
    return new ZeroscaleException(OpenAiError.of(422, message, path(field), "invalid_value"));
  }

  private String path(String field) {
    return prefix + field;
  }
}
