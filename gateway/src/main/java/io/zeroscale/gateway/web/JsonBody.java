package io.zeroscale.gateway.web;

import static io.zeroscale.gateway.web.InputBounds.echo;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A JSON object from a tenant or admin request body, read field by field so that every problem
 * becomes the exact OpenAI-shaped error: 400 {@code invalid_json} for a body that is not one JSON
 * object, 422 naming the field ({@code param}) for a missing field, a wrong type, an unknown field
 * or a value out of bounds.
 *
 * <p>The body is read strictly, with its own parser rather than the application's {@code
 * JsonMapper} (which also reads Redis documents and engine answers, and must stay lenient):
 *
 * <ul>
 *   <li>a field twice is a 400: with "last one wins", {@code "num_gpus":1,"num_gpus":2} created 2
 *       GPUs while a reviewer of the body saw 1;
 *   <li>nesting, number, string and field-name lengths are bounded ({@link InputBounds});
 *   <li>decimals are read exactly ({@code BigDecimal}): {@code 1e400} as a double is Infinity,
 *       which became a 500;
 *   <li>nothing may follow the object.
 * </ul>
 *
 * <p>A rejected value is quoted in at most {@link InputBounds#MAX_ECHO} characters.
 */
public final class JsonBody {

  private static final JsonMapper STRICT =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(InputBounds.MAX_DEPTH)
                          .maxNumberLength(InputBounds.MAX_NUMBER_LENGTH)
                          .maxStringLength(InputBounds.MAX_STRING_LENGTH)
                          .maxNameLength(InputBounds.MAX_NAME_LENGTH)
                          .build())
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** A single-quoted span longer than an echo in a parser message, to shorten. */
  private static final Pattern LONG_QUOTE =
      Pattern.compile("'([^']{" + InputBounds.MAX_ECHO + "})[^']+'");

  /** Parser messages are cut here, whatever they contain. */
  private static final int MAX_PARSER_MESSAGE = 200;

  private final JsonNode node;
  private final String prefix;

  private JsonBody(JsonNode node, String prefix) {
    this.node = node;
    this.prefix = prefix;
  }

  /**
   * Parses a body; an empty or non-object body, a field given twice, a body beyond the bounds of
   * {@link InputBounds} or anything after the object is a 400 {@code invalid_json}.
   */
  public static JsonBody parse(String body) {
    if (body == null || body.isBlank()) {
      throw invalidJson("The request body must be a JSON object.");
    }
    JsonNode node;
    try {
      node = STRICT.readTree(body);
    } catch (StreamConstraintsException e) {
      throw invalidJson("The request body exceeds a bound: " + limit(e) + ".");
    } catch (JacksonException e) {
      throw invalidJson(parserProblem(e));
    } catch (NumberFormatException e) {
      // Jackson reads 1e2147483648 (exponent beyond int) as BigDecimal and throws this, unwrapped.
      throw invalidJson("The request body is not valid JSON: a number's exponent is out of range.");
    }
    if (node == null || !node.isObject()) {
      throw invalidJson("The request body must be a JSON object.");
    }
    return new JsonBody(node, "");
  }

  /** Which bound a constraint violation broke, in the API's words (no Jackson class names). */
  private static String limit(StreamConstraintsException e) {
    String m = String.valueOf(e.getOriginalMessage());
    if (m.startsWith("Document nesting depth")) {
      return "objects and arrays nest deeper than " + InputBounds.MAX_DEPTH + " levels";
    }
    if (m.startsWith("Number value length")) {
      return "a number is longer than " + InputBounds.MAX_NUMBER_LENGTH + " characters";
    }
    if (m.startsWith("String value length")) {
      return "a string is longer than " + InputBounds.MAX_STRING_LENGTH + " characters";
    }
    if (m.startsWith("Name length")) {
      return "a field name is longer than " + InputBounds.MAX_NAME_LENGTH + " characters";
    }
    return "it exceeds the bounds listed in docs/api.md (Input bounds)";
  }

  /** A parser's complaint, first line only, quoted values shortened, at most 200 characters. */
  private static String parserProblem(JacksonException e) {
    String m = e.getOriginalMessage();
    if (m == null || m.isBlank()) {
      return "The request body is not valid JSON.";
    }
    m = m.lines().findFirst().orElse("").strip();
    String duplicate = "Duplicate Object property \"";
    if (m.startsWith(duplicate) && m.endsWith("\"")) {
      String name = m.substring(duplicate.length(), m.length() - 1);
      return "The request body has the field '"
          + echo(name)
          + "' more than once; give each field once.";
    }
    m = LONG_QUOTE.matcher(m).replaceAll("'$1…'");
    if (m.length() > MAX_PARSER_MESSAGE) {
      m = m.substring(0, MAX_PARSER_MESSAGE) + "…";
    }
    return "The request body is not valid JSON: " + m;
  }

  private static ZeroscaleException invalidJson(String message) {
    return new ZeroscaleException(OpenAiError.of(400, message, null, "invalid_json"));
  }

  /** Refuses fields the endpoint does not know, so typos are not silently ignored. */
  public JsonBody allowOnly(Set<String> fields) {
    for (String name : node.propertyNames()) {
      if (!fields.contains(name)) {
        throw invalid(
            name, "Unknown field '" + echo(prefix + name) + "'. Known fields: " + fields + ".");
      }
    }
    return this;
  }

  /**
   * A field as sent, whatever its type (null when absent), for fields that take more than one
   * shape, such as a deployment's {@code model} (a name or {@code {"hf":{..}}}).
   */
  public JsonNode raw(String field) {
    return node.get(field);
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
    return present(field, JsonNode::isString, v -> "must be a string").map(JsonNode::stringValue);
  }

  public Optional<Integer> optionalInt(String field) {
    return present(field, JsonNode::isIntegralNumber, v -> "must be an integer, got " + shown(v))
        .map(v -> toInt(field, v));
  }

  private int toInt(String field, JsonNode v) {
    if (!v.canConvertToInt()) {
      throw invalid(
          field,
          "'"
              + path(field)
              + "' is out of range (at most "
              + Integer.MAX_VALUE
              + " in magnitude), got "
              + shown(v)
              + ".");
    }
    return v.intValue();
  }

  /**
   * A number, or a decimal in a string ({@code "0.75"}, exact where a JSON number may pass through
   * a double in the client), within {@link InputBounds#MAX_DECIMAL_DIGITS} digits before and after
   * the point. The bound is checked before the value is used: the field's own rules then format it
   * in at most 38 characters.
   */
  public Optional<BigDecimal> optionalDecimal(String field) {
    return present(
            field, v -> v.isNumber() || v.isString(), v -> "must be a number, got " + shown(v))
        .map(v -> toDecimal(field, v));
  }

  private BigDecimal toDecimal(String field, JsonNode v) {
    BigDecimal d;
    if (v.isNumber()) {
      // Floats are parsed as BigDecimal (see STRICT); a double could only come from elsewhere.
      if ((v.isDouble() || v.isFloat()) && !Double.isFinite(v.doubleValue())) {
        throw invalid(field, "'" + path(field) + "' must be a finite number, got " + v + ".");
      }
      d = v.decimalValue();
    } else {
      String text = v.stringValue().strip();
      if (text.length() > InputBounds.MAX_DECIMAL_TEXT) {
        throw invalid(
            field,
            "'"
                + path(field)
                + "' must be a decimal number of at most "
                + InputBounds.MAX_DECIMAL_TEXT
                + " characters, got "
                + shown(v)
                + ".");
      }
      try {
        d = new BigDecimal(text);
      } catch (NumberFormatException e) {
        throw invalid(
            field, "'" + path(field) + "' must be a decimal number, got " + shown(v) + ".");
      }
    }
    Optional<String> tooBig = InputBounds.decimalProblem(d);
    if (tooBig.isPresent()) {
      throw invalid(
          field,
          "'" + path(field) + "' must have " + tooBig.get() + ", got " + InputBounds.echo(d) + ".");
    }
    return d;
  }

  public Optional<Boolean> optionalBoolean(String field) {
    return present(field, JsonNode::isBoolean, v -> "must be true or false, got " + shown(v))
        .map(JsonNode::booleanValue);
  }

  /** An ISO-8601 instant within {@link InputBounds#storable} (years 1970 to 9998). */
  public Optional<Instant> optionalInstant(String field) {
    return optionalString(field)
        .map(
            s -> {
              Instant t = null;
              try {
                t = Instant.parse(s);
              } catch (DateTimeException e) {
                // Refused below, with the value.
              }
              if (t == null || !InputBounds.storable(t)) {
                throw invalid(
                    field,
                    "'"
                        + path(field)
                        + "' must be an ISO-8601 instant such as 2026-12-31T23:59:59Z, "
                        + InputBounds.timeRange()
                        + ", got '"
                        + echo(s)
                        + "'.");
              }
              return t;
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
    return present(field, JsonNode::isObject, v -> "must be an object")
        .map(v -> new JsonBody(v, path(field) + "."));
  }

  /**
   * The field when it is present and not null; a 422 {@code '<field>' <mustBe>.} when it is not of
   * the type {@code ofType} accepts.
   */
  private Optional<JsonNode> present(
      String field, Predicate<JsonNode> ofType, Function<JsonNode, String> mustBe) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!ofType.test(v)) {
      throw invalid(field, "'" + path(field) + "' " + mustBe.apply(v) + ".");
    }
    return Optional.of(v);
  }

  /**
   * A value as quoted in a message: strings and numbers in at most {@link InputBounds#MAX_ECHO}
   * characters, containers by their kind only.
   */
  static String shown(JsonNode v) {
    if (v.isObject()) {
      return "an object";
    }
    if (v.isArray()) {
      return "an array";
    }
    if (v.isString()) {
      return "\"" + echo(v.stringValue()) + "\"";
    }
    if (v.isBigDecimal()) {
      return InputBounds.echo(v.decimalValue());
    }
    return echo(v.toString());
  }

  /** A 422 for this field, with its full path as {@code param}. */
  public ZeroscaleException invalid(String field, String message) {
    return new ZeroscaleException(OpenAiError.of(422, message, path(field), "invalid_value"));
  }

  private String path(String field) {
    return prefix + field;
  }
}
