package io.zeroscale.sim.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What the simulator shows of the Hugging Face token it was started with ({@code HF_TOKEN}), so
 * that a test can tell which token an instance received without the token being readable: the first
 * 3 and last 4 characters ({@code hf_…abcd}; only {@code …} for a token shorter than 12) and the
 * first 16 hex digits of its SHA-256. The simulator keeps nothing else of it.
 *
 * @param masked e.g. {@code hf_…abcd}
 * @param sha256 the first 16 hex digits of the token's SHA-256
 */
public record TokenFingerprint(String masked, String sha256) {

  /** Tokens shorter than this show no characters at all. */
  static final int MIN_LENGTH_TO_SHOW = 12;

  public TokenFingerprint {
    Objects.requireNonNull(masked, "masked");
    Objects.requireNonNull(sha256, "sha256");
  }

  /** The fingerprint of {@code token}, or null when there is none (null or empty). */
  public static TokenFingerprint of(String token) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    String masked =
        token.length() < MIN_LENGTH_TO_SHOW
            ? "…"
            : token.substring(0, 3) + "…" + token.substring(token.length() - 4);
    return new TokenFingerprint(masked, sha256Prefix(token));
  }

  /** The first 16 hex digits of the SHA-256 of {@code token} (what tests compare). */
  public static String sha256Prefix(String token) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return masked + " sha256:" + sha256;
  }
}
