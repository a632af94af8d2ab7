package io.zeroscale.api.redis;

import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.crypto.SecretBox;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link RedisSchema#CREDENTIALS} entry: what a deployment's instances may download their model
 * with, as {@code {"hf_token_sealed":"<base64>"|null,"platform_token":bool}}. Written by the
 * control plane when the deployment is created (and repaired by its resync), read by the activator
 * when it launches an instance, removed when the deployment is deleted.
 *
 * <p>The tenant's token is never in clear: it is sealed with {@link SecretBox} under {@link
 * #context(String)}, which binds it to the deployment's id, so an entry copied to another
 * deployment's field does not open there.
 *
 * <p>A model stored in S3 (issue #20) adds {@code "s3_sealed":"<base64>"}: its {@link S3Access}
 * (endpoint, region, the tenant's S3 credentials) as JSON, sealed under the same context. An entry
 * without it (every entry written before) reads as before; an entry without an S3 model is written
 * byte for byte as before.
 *
 * @param hfTokenSealed the tenant's token sealed for this deployment, or null when it has none
 * @param platformToken whether the instances may use the platform's own token instead (the operator
 *     allowed it for unverified imports); never true together with a tenant token
 * @param s3Sealed the {@link S3Access} of an S3 model, sealed for this deployment, or null for a
 *     Hugging Face model
 */
public record DeploymentCredentials(byte[] hfTokenSealed, boolean platformToken, byte[] s3Sealed) {

  /** No token at all: the model is public, or the operator did not allow the platform's. */
  public static final DeploymentCredentials NONE = new DeploymentCredentials(null, false);

  /** The platform's token, without one of the tenant's. */
  public static final DeploymentCredentials PLATFORM = new DeploymentCredentials(null, true);

  public DeploymentCredentials {
    if (platformToken && hfTokenSealed != null) {
      throw new IllegalArgumentException("the tenant's token or the platform's, not both");
    }
    hfTokenSealed = hfTokenSealed == null ? null : hfTokenSealed.clone();
    s3Sealed = s3Sealed == null ? null : s3Sealed.clone();
  }

  /** An entry of a Hugging Face model (no S3 access). */
  public DeploymentCredentials(byte[] hfTokenSealed, boolean platformToken) {
    this(hfTokenSealed, platformToken, null);
  }

  /** The {@link S3Access} of an S3 model, sealed for deployment {@code deploymentId}. */
  public static DeploymentCredentials s3(
      SecretBox box, String deploymentId, S3Access access, JsonMapper json) {
    Objects.requireNonNull(access, "access");
    return new DeploymentCredentials(
        null, false, box.seal(access.write(json), context(deploymentId)));
  }

  /** Whether it carries an S3 model's access. */
  public boolean hasS3() {
    return s3Sealed != null;
  }

  /**
   * The S3 access in clear, or null when there is none.
   *
   * @throws IllegalArgumentException when it does not open for {@code deploymentId} with this key;
   *     the message holds no secret
   */
  public S3Access openS3(SecretBox box, String deploymentId, JsonMapper json) {
    return s3Sealed == null ? null : S3Access.read(json, box.open(s3Sealed, context(deploymentId)));
  }

  /** The tenant's {@code token}, sealed for deployment {@code deploymentId}. */
  public static DeploymentCredentials tenant(SecretBox box, String deploymentId, String token) {
    Objects.requireNonNull(token, "token");
    return new DeploymentCredentials(box.seal(token, context(deploymentId)), false);
  }

  /** The associated data that binds a sealed token to one deployment. */
  public static String context(String deploymentId) {
    return RedisSchema.CREDENTIALS + ":" + Objects.requireNonNull(deploymentId, "deploymentId");
  }

  /** Whether it carries a token of the tenant. */
  public boolean hasTenantToken() {
    return hfTokenSealed != null;
  }

  /**
   * The tenant's token in clear, or null when there is none.
   *
   * @throws IllegalArgumentException when it does not open for {@code deploymentId} with this key
   *     (another key, another deployment's entry, changed bytes); the message holds no secret
   */
  public String open(SecretBox box, String deploymentId) {
    return hfTokenSealed == null ? null : box.open(hfTokenSealed, context(deploymentId));
  }

  public String write(JsonMapper json) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "hf_token_sealed",
        hfTokenSealed == null ? null : Base64.getEncoder().encodeToString(hfTokenSealed));
    m.put("platform_token", platformToken);
    if (s3Sealed != null) {
      m.put("s3_sealed", Base64.getEncoder().encodeToString(s3Sealed));
    }
    return json.writeValueAsString(m);
  }

  /**
   * Reads an entry; unknown fields are ignored.
   *
   * @throws IllegalArgumentException when it is not such an entry
   */
  public static DeploymentCredentials read(JsonMapper json, String text) {
    JsonNode n;
    try {
      n = json.readTree(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("a credentials entry is not JSON");
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("a credentials entry is not a JSON object");
    }
    JsonNode sealed = n.path("hf_token_sealed");
    byte[] bytes = null;
    if (sealed.isString()) {
      try {
        bytes = Base64.getDecoder().decode(sealed.asString());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("a credentials entry's hf_token_sealed is not base64");
      }
    } else if (!sealed.isMissingNode() && !sealed.isNull()) {
      throw new IllegalArgumentException("a credentials entry's hf_token_sealed is not a string");
    }
    JsonNode s3 = n.path("s3_sealed");
    byte[] s3Bytes = null;
    if (s3.isString()) {
      try {
        s3Bytes = Base64.getDecoder().decode(s3.asString());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("a credentials entry's s3_sealed is not base64");
      }
    } else if (!s3.isMissingNode() && !s3.isNull()) {
      throw new IllegalArgumentException("a credentials entry's s3_sealed is not a string");
    }
    return new DeploymentCredentials(bytes, n.path("platform_token").asBoolean(false), s3Bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeploymentCredentials c
        && platformToken == c.platformToken
        && Arrays.equals(hfTokenSealed, c.hfTokenSealed)
        && Arrays.equals(s3Sealed, c.s3Sealed);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(hfTokenSealed) + Boolean.hashCode(platformToken))
        + Arrays.hashCode(s3Sealed);
  }

  /** Never shows the sealed bytes. */
  @Override
  public String toString() {
    return "DeploymentCredentials[hfToken="
        + (hfTokenSealed == null ? (platformToken ? "platform" : "none") : "<sealed>")
        + (s3Sealed == null ? "" : ", s3=<sealed>")
        + "]";
  }
}
