package io.zeroscale.gateway.model;

import io.zeroscale.api.Family;
import io.zeroscale.gateway.model.ModelService.ImportRequest;
import io.zeroscale.gateway.model.hub.HfSource;
import io.zeroscale.gateway.web.InputBounds;
import io.zeroscale.gateway.web.JsonBody;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and validates the library's request bodies; every problem is a 422 naming its field. */
public final class ModelRequests {

  static final Set<String> IMPORT_FIELDS = Set.of("name", "source", "family", "hf_token");
  private static final Set<String> FIXED_FIELDS = Set.of("source", "family", "hf_token");

  /** Printable ASCII without spaces, as HF tokens are; bounded so a header can carry it. */
  private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7E]{1,1024}");

  private ModelRequests() {}

  /** {@code POST /api/v1/models}: name (default: the repo's name), source, family, hf_token. */
  public static ImportRequest importRequest(JsonBody body) {
    body.allowOnly(IMPORT_FIELDS);
    String rawSource = body.requiredString("source");
    HfSource source;
    try {
      // A bare owner/name is hf://owner/name (alias of the seed platforms' shape).
      source = HfSource.parseOrBare(rawSource);
    } catch (IllegalArgumentException e) {
      throw body.invalid("source", e.getMessage());
    }
    String name =
        body.optionalString("name")
            .or(() -> Names.fromRepo(source.repo()))
            .orElseThrow(
                () ->
                    body.invalid(
                        "name", "'name' is required: the repo's name is not a valid model name."));
    Names.problem("name", name).ifPresent(p -> fail(body, "name", p));
    Family family = family(body, "family").orElse(Family.LLM);
    return new ImportRequest(name, source, family, hfToken(body, "hf_token"));
  }

  /**
   * An optional HF token field (of {@code POST /api/v1/models}, or of a deployment's inline {@code
   * model.hf}): 1 to 1024 printable ASCII characters without spaces, else 422 naming the field and
   * never echoing the value (it is a credential).
   */
  public static String hfToken(JsonBody body, String field) {
    String token = body.optionalString(field).orElse(null);
    if (token != null && !TOKEN.matcher(token).matches()) {
      throw body.invalid(
          field, "'" + field + "' must be 1 to 1024 printable ASCII characters without spaces.");
    }
    return token;
  }

  /** {@code PATCH /api/v1/models/{id}}: only the name changes. */
  public static String rename(JsonBody body) {
    for (String f : FIXED_FIELDS) {
      if (body.has(f)) {
        throw body.invalid(
            f, "'" + f + "' of a library model cannot be changed; import the model again.");
      }
    }
    body.allowOnly(Set.of("name"));
    String name = body.requiredString("name");
    Names.problem("name", name).ifPresent(p -> fail(body, "name", p));
    return name;
  }

  /** An optional family field: one of the wire names. */
  public static Optional<Family> family(JsonBody body, String field) {
    return body.optionalString(field)
        .map(
            v ->
                Family.fromWire(v)
                    .orElseThrow(
                        () ->
                            body.invalid(
                                field,
                                "'"
                                    + field
                                    + "' must be one of "
                                    + wireNames()
                                    + ", got '"
                                    + InputBounds.echo(v)
                                    + "'.")));
  }

  static List<String> wireNames() {
    return Arrays.stream(Family.values()).map(Family::wire).toList();
  }

  private static void fail(JsonBody body, String field, String problem) {
    throw body.invalid(field, problem);
  }
}
