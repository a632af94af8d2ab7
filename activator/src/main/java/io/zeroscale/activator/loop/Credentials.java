package io.zeroscale.activator.loop;

import io.zeroscale.api.crypto.SecretBox;
import io.zeroscale.api.redis.DeploymentCredentials;
import io.zeroscale.api.redis.S3Access;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Opens a deployment's credentials entry ({@code zs:credentials}) for a launch: the tenant's token
 * in clear, or the platform-token flag, or nothing. An entry that does not open (another {@code
 * zeroscale.secrets.key}, another deployment's entry, changed bytes, no key configured) gives no
 * token at all, never the platform's, and one warning per deployment that names no secret.
 */
public final class Credentials {

  private static final Logger log = LoggerFactory.getLogger(Credentials.class);

  /**
   * What one instance gets: the tenant's token, or the platform's, or neither; and for an S3 model
   * its {@link S3Access} (issue #20), null otherwise.
   */
  public record Token(String hfToken, boolean platformToken, S3Access s3) {

    public static final Token NONE = new Token(null, false);

    /** A Hugging Face model's token. */
    public Token(String hfToken, boolean platformToken) {
      this(hfToken, platformToken, null);
    }

    /**
     * The secrets an instance of this token is given, to blank in its logs: the tenant's token, the
     * platform's ({@code platformHfToken}, when it may use it and it is set), the S3 secret access
     * key and session token.
     */
    public List<String> secrets(String platformHfToken) {
      List<String> out = new ArrayList<>();
      if (hfToken != null) {
        out.add(hfToken);
      }
      if (platformToken && platformHfToken != null && !platformHfToken.isBlank()) {
        out.add(platformHfToken);
      }
      if (s3 != null) {
        if (s3.secretAccessKey() != null) {
          out.add(s3.secretAccessKey());
        }
        if (s3.sessionToken() != null) {
          out.add(s3.sessionToken());
        }
      }
      return out;
    }

    /** Never prints the token. */
    @Override
    public String toString() {
      return (hfToken != null ? "Token[tenant" : platformToken ? "Token[platform" : "Token[none")
          + (s3 == null ? "]" : ", s3]");
    }
  }

  private final SecretBox secrets;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final JsonMapper json = JsonMapper.builder().build();

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
    if (entry.hasS3()) {
      return s3(deploymentId, entry);
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

  /**
   * An S3 model's access; without a key, or when it does not open, no S3 access at all (the
   * instance's download then fails, rather than run with another's credentials).
   */
  private Token s3(String deploymentId, DeploymentCredentials entry) {
    if (secrets == null) {
      warnOnce(deploymentId, "no zeroscale.secrets.key is configured");
      return Token.NONE;
    }
    try {
      return new Token(null, false, entry.openS3(secrets, deploymentId, json));
    } catch (IllegalArgumentException e) {
      warnOnce(deploymentId, e.getMessage());
      return Token.NONE;
    }
  }

  private void warnOnce(String deploymentId, String why) {
    if (warned.add(deploymentId)) {
      log.warn(
          "The credentials of deployment {} do not open ({}); its instances start without them",
          deploymentId,
          why);
    }
  }
}
