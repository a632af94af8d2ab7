package io.zeroscale.gateway.model;

import io.zeroscale.api.crypto.SecretBox;
import io.zeroscale.api.redis.DeploymentCredentials;
import java.util.Objects;

/**
 * Which Hugging Face token a deployment's instances get (issue #16), and its {@link
 * DeploymentCredentials} entry:
 *
 * <ul>
 *   <li>the model was imported with the tenant's token: that token, re-sealed for the deployment;
 *   <li>else, the model is {@code unverified} (the hub was unreachable at import, so nobody checked
 *       that the repo is public) and the operator set {@code
 *       zeroscale.models.platform-token-for-unverified}: the platform's own token;
 *   <li>else none at all: a verified model without a tenant token is public.
 * </ul>
 */
public final class InstanceTokens {

  /** Where an instance's token comes from. */
  public enum Source {
    TENANT,
    PLATFORM,
    NONE
  }

  private final SecretBox secrets;
  private final boolean platformTokenForUnverified;

  public InstanceTokens(SecretBox secrets, boolean platformTokenForUnverified) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.platformTokenForUnverified = platformTokenForUnverified;
  }

  /** The rule, on what the model row says. */
  public static Source source(
      boolean hasTenantToken, ModelStatus status, boolean platformTokenForUnverified) {
    if (hasTenantToken) {
      return Source.TENANT;
    }
    return platformTokenForUnverified && status == ModelStatus.UNVERIFIED
        ? Source.PLATFORM
        : Source.NONE;
  }

  /** {@link #source} with this gateway's setting. */
  public Source source(Model model) {
    return source(model.hasHfToken(), model.status(), platformTokenForUnverified);
  }

  /**
   * The entry for deployment {@code deploymentId} of {@code model}.
   *
   * @param tenantToken the model's token in clear, or null when it has none or it did not open
   *     (then the instances get none: never the platform's instead of the tenant's)
   */
  public DeploymentCredentials credentials(String deploymentId, Model model, String tenantToken) {
    return switch (source(model)) {
      case TENANT ->
          tenantToken == null
              ? DeploymentCredentials.NONE
              : DeploymentCredentials.tenant(secrets, deploymentId, tenantToken);
      case PLATFORM -> DeploymentCredentials.PLATFORM;
      case NONE -> DeploymentCredentials.NONE;
    };
  }

  /** Whether {@code entry} is of the shape {@code model} calls for (the resync's repair check). */
  public boolean matches(DeploymentCredentials entry, Model model) {
    if (model.s3() || entry.hasS3()) {
      // An S3 model's entry carries its S3 access (issue #20), a hub model's never does.
      return model.s3() && entry.hasS3() && !entry.hasTenantToken() && !entry.platformToken();
    }
    return switch (source(model)) {
      case TENANT -> entry.hasTenantToken();
      case PLATFORM -> entry.platformToken();
      case NONE -> !entry.hasTenantToken() && !entry.platformToken();
    };
  }
}
