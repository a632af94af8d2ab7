package io.zeroscale.gateway.model.hub;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where model metadata is read from ({@code zeroscale.hub.*}). Tests and air-gapped installs point
 * {@code url} at a stand-in or a mirror.
 *
 * @param url the hub's base URL, e.g. {@code https://huggingface.co}
 * @param timeout for a whole metadata lookup (SPEC §3: short, 5 s by default)
 */
@ConfigurationProperties("zeroscale.hub")
public record HubProperties(
    @DefaultValue("https://huggingface.co") URI url, @DefaultValue("5s") Duration timeout) {

  public HubProperties {
    if (url == null || !url.isAbsolute() || url.getHost() == null) {
      throw new IllegalArgumentException(
          "zeroscale.hub.url must be an absolute http(s) URL, got " + url);
    }
    String scheme = url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "zeroscale.hub.url must be an absolute http(s) URL, got " + url);
    }
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException(
          "zeroscale.hub.timeout must be a positive duration, got " + timeout);
    }
  }
}
