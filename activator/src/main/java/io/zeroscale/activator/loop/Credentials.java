package io.zeroscale.activator.loop;

import io.zeroscale.api.crypto.SecretBox;
import io.zeroscale.api.redis.DeploymentCredentials;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a deployment's credentials entry ({@code zs:credentials}) for a launch: the tenant's token
 * in clear, or the platform-token flag, or nothing. An entry that does not open (another {@code
 * zeroscale.secrets.key}, another deployment's entry, changed bytes, no key configured) gives no
 * token at all, never the platform's, and one warning per deployment that names no secret.
 */
public final class Credentials {

  private static final Logger log = LoggerFactory.getLogger(Credentials.class);

  /** What one instance gets: the tenant's token, or the platform's, or neither. */
  public record Token(String hfToken, boolean platformToken) {

    public static final Token NONE = new Token(null, false);

    /** Never prints the token. */
    @Override
    public String toString() {
      return hfToken != null ? "Token[tenant]" : platformToken ? "Token[platform]" : "Token[none]";
    }
  }

  private final SecretBox secrets;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /**
   * @param secrets the box built from {@code zeroscale.secrets.key}, or null when the activator has
   *     no key (then no tenant token opens)
   */
  public Credentials(SecretBox secrets) {
    this.secrets = secrets;
  }

  /** The token for an instance of {@code deploymentId}; {@code entry} null when there is none. */
  public Token open(String deploymentId, DeploymentCredentials entry) {
    if (entry == null) {
      // The control plane writes it before the spec; its sweeper repairs a lost one.
      if (warned.add("missing:" + deploymentId)) {
        log.info(
            "Deployment {} has no credentials entry yet; its instances start without a token"
                + " until the control plane's sweeper writes it",
            deploymentId);
      }
      return Token.NONE;
    }
    if (!entry.hasTenantToken()) {
      return new Token(null, entry.platformToken());
    }
    if (secrets == null) {
      warnOnce(deploymentId, "no zeroscale.secrets.key is configured");
      return Token.NONE;
    }
    try {
      return new Token(entry.open(secrets, deploymentId), false);
    } catch (IllegalArgumentException e) {
      warnOnce(deploymentId, e.getMessage());
      return Token.NONE;
    }
  }

  private void warnOnce(String deploymentId, String why) {
    if (warned.add(deploymentId)) {
      log.warn(
          "The HF token of deployment {} does not open ({}); its instances start without a token",
          deploymentId,
          why);
    }
  }
}
