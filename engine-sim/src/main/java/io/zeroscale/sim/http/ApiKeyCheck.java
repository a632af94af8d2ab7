package io.zeroscale.sim.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * vLLM's {@code --api-key}: every request must carry {@code Authorization: Bearer <key>}, except
 * the probes an orchestrator sends without credentials ({@code /health}, {@code /metrics}, {@code
 * /ping}, {@code /version}; vLLM leaves them open too). vLLM checks only paths under {@code /v1};
 * the simulator is stricter and checks every other path as well ({@code /rerank}, {@code
 * /v2/rerank}, unknown ones), so that nothing but the probes answers without the key.
 *
 * <p>The comparison is of SHA-256 digests with {@link MessageDigest#isEqual}, which takes the same
 * time whatever the first differing byte, and the digests hide the key's length.
 */
final class ApiKeyCheck {

  /** Paths open without the key, as in vLLM. */
  static final Set<String> OPEN_PATHS = Set.of("/health", "/metrics", "/ping", "/version");

  private static final String BEARER = "bearer ";

  private final byte[] keyDigest;

  /**
   * @param key the required key, or null for an open engine
   */
  ApiKeyCheck(String key) {
    this.keyDigest = key == null ? null : sha256(key);
  }

  /** Whether a request for {@code path} with this {@code Authorization} header may proceed. */
  boolean permits(String path, String authorization) {
    if (keyDigest == null || OPEN_PATHS.contains(path)) {
      return true;
    }
    if (authorization == null
        || authorization.length() < BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return false;
    }
    String presented = authorization.substring(BEARER.length()).strip();
    return MessageDigest.isEqual(keyDigest, sha256(presented));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
