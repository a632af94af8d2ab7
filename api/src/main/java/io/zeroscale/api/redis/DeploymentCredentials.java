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
 * @param hfTokenSealed the tenant's token sealed for this deployment, or null when it has none
 * @param platformToken whether the instances may use the platform's own token instead (the operator
 *     allowed it for unverified imports); never true together with a tenant token
 */
public record DeploymentCredentials(byte[] hfTokenSealed, boolean platformToken) {

  /** No token at all: the model is public, or the operator did not allow the platform's. */
  public static final DeploymentCredentials NONE = new DeploymentCredentials(null, false);

  /** The platform's token, without one of the tenant's. */
  public static final DeploymentCredentials PLATFORM = new DeploymentCredentials(null, true);

  public DeploymentCredentials {
    if (platformToken && hfTokenSealed != null) {
      throw new IllegalArgumentException("the tenant's token or the platform's, not both");
    }
    hfTokenSealed = hfTokenSealed == null ? null : hfTokenSealed.clone();
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
    return new DeploymentCredentials(bytes, n.path("platform_token").asBoolean(false));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeploymentCredentials c
        && platformToken == c.platformToken
        && Arrays.equals(hfTokenSealed, c.hfTokenSealed);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(hfTokenSealed) + Boolean.hashCode(platformToken);
  }

  /** Never shows the sealed bytes. */
  @Override
  public String toString() {
    return "DeploymentCredentials[hfToken="
        + (hfTokenSealed == null ? (platformToken ? "platform" : "none") : "<sealed>")
        + "]";
  }
}
