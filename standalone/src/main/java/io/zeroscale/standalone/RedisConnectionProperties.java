package io.zeroscale.standalone;

import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code zeroscale.redis.*}: the Redis every component of this JVM shares through one client.
 *
 * @param url {@code redis://host:port} or {@code rediss://host:port}: the embedded server's (set at
 *     start by {@link InfrastructureInitializer}) or an operator's ({@code ZEROSCALE_REDIS_URL}),
 *     whose own credentials ({@code redis://:secret@host:6379}) Redisson reads from the URL
 * @param password the embedded server's generated password, or an operator's for an external Redis;
 *     blank for none. Never logged: {@link #toString()} hides it
 */
@ConfigurationProperties("zeroscale.redis")
public record RedisConnectionProperties(String url, String password) {

  public RedisConnectionProperties {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("zeroscale.redis.url must be set");
    }
    String scheme = url.strip().toLowerCase(Locale.ROOT);
    if (!scheme.startsWith("redis://") && !scheme.startsWith("rediss://")) {
      throw new IllegalArgumentException(
          "zeroscale.redis.url must start with redis:// or rediss://, got a URL with another scheme");
    }
    url = url.strip();
    password = password == null || password.isBlank() ? null : password;
  }

  /** Never shows the password, nor credentials inside the URL. */
  @Override
  public String toString() {
    return "RedisConnectionProperties[url="
        + url.replaceFirst("//[^@/]*@", "//***@")
        + ", password="
        + (password == null ? "none" : "***")
        + "]";
  }
}
