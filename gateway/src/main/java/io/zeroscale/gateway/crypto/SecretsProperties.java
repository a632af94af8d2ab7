package io.zeroscale.gateway.crypto;

import java.util.Base64;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The key that seals secrets at rest ({@code zeroscale.secrets.key}): base64 of 32 random bytes,
 * e.g. from {@code openssl rand -base64 32}. The standalone app generates one into {@code
 * ZEROSCALE_HOME}; the Helm chart takes it from a Secret. Messages never echo the value.
 *
 * @param key base64 of the 256-bit AES key
 */
@ConfigurationProperties("zeroscale.secrets")
public record SecretsProperties(String key) {

  public SecretsProperties {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException(
          "zeroscale.secrets.key is required: base64 of 32 random bytes"
              + " (e.g. `openssl rand -base64 32`)");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(key.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("zeroscale.secrets.key is not valid base64");
    }
    if (raw.length != SecretBox.KEY_BYTES) {
      throw new IllegalArgumentException(
          "zeroscale.secrets.key must decode to "
              + SecretBox.KEY_BYTES
              + " bytes (AES-256), got "
              + raw.length);
    }
  }

  /** The raw key bytes. */
  public byte[] keyBytes() {
    return Base64.getDecoder().decode(key.strip());
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "SecretsProperties[key=<redacted>]";
  }
}
