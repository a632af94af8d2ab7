package io.zeroscale.api.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals short secrets (tenants' Hugging Face tokens) for storage with AES-256-GCM.
 *
 * <p>Format: {@code nonce (12 bytes) || ciphertext || tag (16 bytes)}, the layout of {@code
 * models.hf_token_enc}. Each call draws a fresh random 96-bit nonce, so sealing the same token
 * twice gives different bytes; with random nonces NIST SP 800-38D allows 2^32 seals per key, far
 * beyond the number of tokens a deployment will ever store.
 *
 * <p>A {@code context} string is bound as associated data (for a model's token: its id), so a
 * ciphertext copied into another row does not open there. Opening with the wrong key, the wrong
 * context or tampered bytes fails; the failure never says anything about the plaintext.
 *
 * <p>The gateway (models' tokens) and the activator (the copies it opens for a deployment's
 * instances, {@link io.zeroscale.api.redis.DeploymentCredentials}) build it from the same {@code
 * zeroscale.secrets.key} with {@link #decodeKey}.
 */
public final class SecretBox {

  public static final int KEY_BYTES = 32;
  static final int NONCE_BYTES = 12;
  static final int TAG_BITS = 128;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private final SecretKeySpec key;
  private final SecureRandom random;

  public SecretBox(byte[] key, SecureRandom random) {
    Objects.requireNonNull(key, "key");
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "an AES-256 key has " + KEY_BYTES + " bytes, got " + key.length);
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * The raw key from {@code zeroscale.secrets.key}: base64 of 32 random bytes (e.g. {@code openssl
   * rand -base64 32}).
   *
   * @throws IllegalArgumentException when it is missing, not base64 or not 32 bytes; the message
   *     never echoes the value
   */
  public static byte[] decodeKey(String base64) {
    if (base64 == null || base64.isBlank()) {
      throw new IllegalArgumentException(
          "zeroscale.secrets.key is required: base64 of 32 random bytes"
              + " (e.g. `openssl rand -base64 32`)");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("zeroscale.secrets.key is not valid base64");
    }
    if (raw.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "zeroscale.secrets.key must decode to "
              + KEY_BYTES
              + " bytes (AES-256), got "
              + raw.length);
    }
    return raw;
  }

  /** Encrypts {@code plaintext}, binding {@code context}; answers nonce || ciphertext || tag. */
  public byte[] seal(String plaintext, String context) {
    Objects.requireNonNull(plaintext, "plaintext");
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad(context));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is required by every Java platform", e);
    }
  }

  /**
   * Decrypts what {@link #seal} produced with the same key and context.
   *
   * @throws IllegalArgumentException when the bytes were not sealed by this key for this context
   *     (or were changed); the message carries no secret material
   */
  public String open(byte[] sealed, String context) {
    Objects.requireNonNull(sealed, "sealed");
    if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new IllegalArgumentException("sealed secret is too short: " + sealed.length + " bytes");
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
      cipher.updateAAD(aad(context));
      byte[] plain = cipher.doFinal(Arrays.copyOfRange(sealed, NONCE_BYTES, sealed.length));
      return new String(plain, StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new IllegalArgumentException(
          "sealed secret does not open: wrong key, wrong context or tampered bytes");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is required by every Java platform", e);
    }
  }

  private static byte[] aad(String context) {
    return Objects.requireNonNull(context, "context").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "SecretBox[AES-256-GCM]";
  }
}
