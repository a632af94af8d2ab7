package io.zeroscale.gateway.crypto;

import io.zeroscale.api.crypto.SecretBox;
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
    SecretBox.decodeKey(key);
  }

  /** The raw key bytes. */
  public byte[] keyBytes() {
    return SecretBox.decodeKey(key);
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "SecretsProperties[key=<redacted>]";
  }
}
