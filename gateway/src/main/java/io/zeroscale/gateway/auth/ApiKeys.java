package io.zeroscale.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * API key secrets: {@code zs-} followed by 40 base62 characters (≈ 238 bits of entropy).
 *
 * <p>Only the SHA-256 hash of a secret is stored. A plain (unsalted, fast) hash is enough here
 * because the secret is high-entropy random, not a password: a brute force over 2^238 candidates is
 * out of reach whatever the hash costs. The first characters after the prefix are kept as a
 * non-secret display prefix so that people can tell their keys apart in listings.
 */
public final class ApiKeys {

  public static final String PREFIX = "zs-";
  private static final int RANDOM_CHARS = 40;
  private static final int DISPLAY_CHARS = 8;
  private static final char[] ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  /**
   * Shortest bootstrap admin key accepted. It may be any string the operator chooses, and guesses
   * at it are only slowed down per client address, so it must carry real entropy: 32 random base64
   * characters (what {@code openssl rand -base64 24} prints) are 192 bits. Generated keys have 43
   * characters.
   */
  public static final int ADMIN_KEY_MIN_LENGTH = 32;

  private final SecureRandom random;

  public ApiKeys(SecureRandom random) {
    this.random = random;
  }

  /** A new secret; show it once, store only {@link #hash(String)}. */
  public String newSecret() {
    StringBuilder sb = new StringBuilder(PREFIX.length() + RANDOM_CHARS).append(PREFIX);
    for (int i = 0; i < RANDOM_CHARS; i++) {
      sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
    }
    return sb.toString();
  }

  /** Hex SHA-256 of the secret, the only form in which it is stored. */
  public static String hash(String secret) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** Compares a presented secret with a stored hash in time independent of where they differ. */
  public static boolean matches(String presentedSecret, String storedHash) {
    byte[] presented = hash(presentedSecret).getBytes(StandardCharsets.US_ASCII);
    byte[] stored = storedHash.getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(presented, stored);
  }

  /** The non-secret prefix shown in key listings, e.g. {@code zs-4fTq9LmB}. */
  public static String displayPrefix(String secret) {
    int end = Math.min(secret.length(), PREFIX.length() + DISPLAY_CHARS);
    return secret.substring(0, end);
  }

  /**
   * Why a configured bootstrap admin key is refused, if it is: null or blank means none is set
   * (fine); otherwise it needs {@value #ADMIN_KEY_MIN_LENGTH} characters. The message names the
   * variable and the rule, never the key.
   */
  public static Optional<String> adminKeyProblem(String adminKey) {
    if (adminKey == null || adminKey.isBlank() || adminKey.length() >= ADMIN_KEY_MIN_LENGTH) {
      return Optional.empty();
    }
    return Optional.of(
        "ZEROSCALE_ADMIN_KEY (zeroscale.admin.key) must be at least "
            + ADMIN_KEY_MIN_LENGTH
            + " characters long, got "
            + adminKey.length()
            + ". Use a random secret, e.g. the output of 'openssl rand -base64 32',"
            + " or leave it unset to have one generated.");
  }

  /** Whether a string has the shape of one of our secrets (cheap pre-check before a lookup). */
  public static boolean looksLikeSecret(String candidate) {
    if (candidate == null || candidate.length() != PREFIX.length() + RANDOM_CHARS) {
      return false;
    }
    if (!candidate.startsWith(PREFIX)) {
      return false;
    }
    for (int i = PREFIX.length(); i < candidate.length(); i++) {
      char c = candidate.charAt(i);
      boolean base62 = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
      if (!base62) {
        return false;
      }
    }
    return true;
  }
}
