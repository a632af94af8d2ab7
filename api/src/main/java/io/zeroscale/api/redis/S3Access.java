package io.zeroscale.api.redis;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How an engine reaches a model stored in S3 or an S3-compatible store (issue #20): the store's
 * endpoint and region and the tenant's credentials, every part optional (a public bucket on AWS
 * needs none). It travels only sealed ({@link DeploymentCredentials#s3Sealed()}, the models table's
 * {@code s3_credentials_enc}) and reaches an instance as the environment vLLM's {@code
 * runai_streamer} loader and boto3 read ({@link #environment()}).
 *
 * @param endpoint an S3-compatible store's URL ({@code AWS_ENDPOINT_URL}), or null for AWS
 * @param region e.g. {@code eu-west-1} ({@code AWS_REGION}), or null
 * @param accessKeyId {@code AWS_ACCESS_KEY_ID}, or null for anonymous access
 * @param secretAccessKey {@code AWS_SECRET_ACCESS_KEY}; present exactly when {@code accessKeyId} is
 * @param sessionToken {@code AWS_SESSION_TOKEN} of temporary credentials, or null
 */
public record S3Access(
    String endpoint,
    String region,
    String accessKeyId,
    String secretAccessKey,
    String sessionToken) {

  /** The variables an instance of an S3 model gets; the runtimes never pass the host's. */
  public static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";

  public static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
  public static final String SESSION_TOKEN = "AWS_SESSION_TOKEN";
  public static final String REGION = "AWS_REGION";
  public static final String ENDPOINT_URL = "AWS_ENDPOINT_URL";

  /**
   * Always {@code true} for an S3 model's instance: with no credentials (or wrong ones) the AWS
   * SDKs would otherwise fall back to the instance-metadata service and load with the host's own
   * role.
   */
  public static final String EC2_METADATA_DISABLED = "AWS_EC2_METADATA_DISABLED";

  /** Anonymous access to AWS's default endpoint. */
  public static final S3Access ANONYMOUS = new S3Access(null, null, null, null, null);

  public S3Access {
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new IllegalArgumentException(
          "an access key id and a secret access key go together, or neither");
    }
    if (sessionToken != null && accessKeyId == null) {
      throw new IllegalArgumentException("a session token needs an access key id");
    }
  }

  /** Whether requests are signed (else anonymous). */
  public boolean signed() {
    return accessKeyId != null;
  }

  /** The same access without the credentials: endpoint and region only. */
  public S3Access withoutCredentials() {
    return new S3Access(endpoint, region, null, null, null);
  }

  /** The same access with {@code endpoint} (null: AWS). */
  public S3Access withEndpoint(String endpoint) {
    return new S3Access(endpoint, region, accessKeyId, secretAccessKey, sessionToken);
  }

  /**
   * The instance's variables: {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code
   * AWS_SESSION_TOKEN}, {@code AWS_REGION}, {@code AWS_ENDPOINT_URL}, each only when set, and
   * always {@code AWS_EC2_METADATA_DISABLED=true} ({@link #EC2_METADATA_DISABLED}), so that an
   * instance never loads with the host's instance-metadata role.
   */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    put(env, ACCESS_KEY_ID, accessKeyId);
    put(env, SECRET_ACCESS_KEY, secretAccessKey);
    put(env, SESSION_TOKEN, sessionToken);
    put(env, REGION, region);
    put(env, ENDPOINT_URL, endpoint);
    env.put(EC2_METADATA_DISABLED, "true");
    return env;
  }

  private static void put(Map<String, String> env, String name, String value) {
    if (value != null) {
      env.put(name, value);
    }
  }

  /** The JSON that is sealed: {@code {"endpoint","region","access_key_id",...}}, nulls left out. */
  public String write(JsonMapper json) {
    Map<String, Object> m = new LinkedHashMap<>();
    putJson(m, "endpoint", endpoint);
    putJson(m, "region", region);
    putJson(m, "access_key_id", accessKeyId);
    putJson(m, "secret_access_key", secretAccessKey);
    putJson(m, "session_token", sessionToken);
    return json.writeValueAsString(m);
  }

  private static void putJson(Map<String, Object> m, String name, String value) {
    if (value != null) {
      m.put(name, value);
    }
  }

  /**
   * Reads what {@link #write} wrote; unknown fields are ignored.
   *
   * @throws IllegalArgumentException when it is not such an object; the message holds no secret
   */
  public static S3Access read(JsonMapper json, String text) {
    JsonNode n;
    try {
      n = json.readTree(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("sealed S3 access is not JSON");
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("sealed S3 access is not a JSON object");
    }
    return new S3Access(
        text(n, "endpoint"),
        text(n, "region"),
        text(n, "access_key_id"),
        text(n, "secret_access_key"),
        text(n, "session_token"));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isString() ? v.asString() : null;
  }

  /** Never shows the secret parts. */
  @Override
  public String toString() {
    return "S3Access[endpoint="
        + (endpoint == null ? "aws" : endpoint)
        + ", region="
        + region
        + ", credentials="
        + (accessKeyId == null ? "none" : sessionToken == null ? "<redacted>" : "<temporary>")
        + "]";
  }
}
