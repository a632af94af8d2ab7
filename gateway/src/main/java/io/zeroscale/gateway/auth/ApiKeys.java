package io.zeroscale.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

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
