package io.zeroscale.gateway.model;

import io.zeroscale.api.Family;
import io.zeroscale.api.redis.S3Access;
import io.zeroscale.gateway.model.ModelService.ImportRequest;
import io.zeroscale.gateway.model.hub.HfSource;
import io.zeroscale.gateway.model.s3.S3Source;
import io.zeroscale.gateway.web.InputBounds;
import io.zeroscale.gateway.web.JsonBody;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and validates the library's request bodies; every problem is a 422 naming its field. */
public final class ModelRequests {

  static final Set<String> IMPORT_FIELDS =
      Set.of("name", "source", "family", "hf_token", "endpoint", "s3_credentials");
  private static final Set<String> FIXED_FIELDS =
      Set.of("source", "family", "hf_token", "endpoint", "s3_credentials");

  static final Set<String> S3_CREDENTIAL_FIELDS =
      Set.of("access_key_id", "secret_access_key", "session_token", "region");

  /** AWS access key ids are 16 to 128 word characters; S3-compatible stores vary, so: printable. */
  private static final Pattern ACCESS_KEY_ID = Pattern.compile("[\\x21-\\x7E]{1,128}");

  /** A secret access key (AWS: 40 characters) or a session token (AWS: up to a few KiB). */
  private static final Pattern S3_SECRET = Pattern.compile("[\\x21-\\x7E]{1,4096}");

  /** AWS region names ({@code eu-west-1}); S3-compatible stores take any such word. */
  private static final Pattern REGION = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,62})");

  /** Printable ASCII without spaces, as HF tokens are; bounded so a header can carry it. */
  private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7E]{1,1024}");

  private ModelRequests() {}

  /**
   * {@code POST /api/v1/models}: name (default: the repo's name, or the prefix's last segment),
   * source, family, and hf_token for a hub source, endpoint and s3_credentials for an {@code s3://}
   * one.
   */
  public static ImportRequest importRequest(JsonBody body) {
    body.allowOnly(IMPORT_FIELDS);
    String rawSource = body.requiredString("source");
    if (S3Source.isS3(rawSource)) {
      return s3ImportRequest(body, rawSource);
    }
    for (String f : List.of("endpoint", "s3_credentials")) {
      if (body.has(f)) {
        throw body.invalid(f, "'" + f + "' applies to s3:// sources only.");
      }
    }
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

  private static ImportRequest s3ImportRequest(JsonBody body, String rawSource) {
    if (body.has("hf_token")) {
      throw body.invalid(
          "hf_token", "'hf_token' applies to Hugging Face sources; use 's3_credentials'.");
    }
    ModelService.S3Import s3 = s3Import(body, rawSource);
    String name = body.optionalString("name").orElseGet(s3.source()::lastSegment);
    Names.problem("name", name).ifPresent(p -> fail(body, "name", p));
    Family family = family(body, "family").orElse(Family.LLM);
    return new ImportRequest(name, null, family, null, s3);
  }

  /**
   * An S3 source with its optional {@code endpoint} and {@code s3_credentials}, fields of {@code
   * body} (of {@code POST /api/v1/models}, or a deployment's inline {@code model.s3}); a 422 on the
   * field for any problem.
   */
  public static ModelService.S3Import s3Import(JsonBody body, String rawSource) {
    S3Source source;
    try {
      source = S3Source.parse(rawSource);
    } catch (IllegalArgumentException e) {
      throw body.invalid("source", e.getMessage());
    }
    String endpoint = null;
    if (body.optionalString("endpoint").isPresent()) {
      try {
        endpoint = S3Source.endpoint(body.optionalString("endpoint").get()).toString();
      } catch (IllegalArgumentException e) {
        throw body.invalid("endpoint", "'endpoint': " + e.getMessage() + ".");
      }
    }
    return new ModelService.S3Import(source, s3Credentials(body).withEndpoint(endpoint));
  }

  /**
   * The optional {@code s3_credentials} object: {@code access_key_id} and {@code secret_access_key}
   * (both or neither), {@code session_token}, {@code region}; each checked for shape and length, a
   * 422 naming the field and never echoing a value (they are credentials).
   */
  static S3Access s3Credentials(JsonBody body) {
    Optional<JsonBody> c = body.optionalObject("s3_credentials");
    if (c.isEmpty()) {
      return S3Access.ANONYMOUS;
    }
    JsonBody creds = c.get();
    creds.allowOnly(S3_CREDENTIAL_FIELDS);
    String keyId = secret(creds, "access_key_id", ACCESS_KEY_ID, "1 to 128");
    String secret = secret(creds, "secret_access_key", S3_SECRET, "1 to 4096");
    String session = secret(creds, "session_token", S3_SECRET, "1 to 4096");
    String region = creds.optionalString("region").orElse(null);
    if (region != null && !REGION.matcher(region).matches()) {
      throw creds.invalid(
          "region",
          "'region' must be 1 to 63 lower-case letters, digits and '-', e.g. 'eu-west-1'.");
    }
    if (keyId == null && secret != null) {
      throw creds.invalid("access_key_id", "'access_key_id' is required with a secret key.");
    }
    if (keyId != null && secret == null) {
      throw creds.invalid(
          "secret_access_key", "'secret_access_key' is required with an access key id.");
    }
    if (session != null && keyId == null) {
      throw creds.invalid("access_key_id", "'access_key_id' is required with a session token.");
    }
    return new S3Access(null, region, keyId, secret, session);
  }

  private static String secret(JsonBody body, String field, Pattern shape, String length) {
    String v = body.optionalString(field).orElse(null);
    if (v != null && !shape.matcher(v).matches()) {
      throw body.invalid(
          field,
          "'" + field + "' must be " + length + " printable ASCII characters without spaces.");
    }
    return v;
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
