package io.zeroscale.activator.runtime;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Per-instance engine API keys: 32 bytes from {@link SecureRandom} (256 bits), URL-safe base64
 * without padding (43 characters) after a {@code zse_} prefix that makes a leaked key recognizable
 * in a log or a paste. One per instance, made when the activator plans it, so that a key read from
 * one instance opens no other.
 */
public final class EngineKeys {

  private static final SecureRandom RANDOM = new SecureRandom();

  private EngineKeys() {}

  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "zse_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
