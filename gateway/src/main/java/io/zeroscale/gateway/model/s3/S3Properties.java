package io.zeroscale.gateway.model.s3;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * S3 model sources ({@code zeroscale.s3.*}).
 *
 * @param privateHosts endpoint host names (or IP literals) a tenant may name although they resolve
 *     to private, loopback or link-local addresses: an in-cluster MinIO, a test's stand-in. Empty
 *     by default: only public stores can be reached (server-side request forgery, {@link S3Client})
 * @param defaultRegion the region requests are signed for when the tenant gives none
 */
@ConfigurationProperties("zeroscale.s3")
public record S3Properties(
    @DefaultValue List<String> privateHosts, @DefaultValue("us-east-1") String defaultRegion) {

  private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  public S3Properties {
    privateHosts = privateHosts == null ? List.of() : List.copyOf(privateHosts);
    for (String h : privateHosts) {
      if (h == null || h.isBlank() || h.contains("/") || h.contains("@")) {
        throw new IllegalArgumentException(
            "zeroscale.s3.private-hosts must list host names, got '" + h + "'");
      }
    }
    if (defaultRegion == null || !REGION.matcher(defaultRegion).matches()) {
      throw new IllegalArgumentException(
          "zeroscale.s3.default-region must be a region name such as us-east-1, got "
              + defaultRegion);
    }
  }

  /** The hosts, lower case. */
  public Set<String> privateHostSet() {
    return privateHosts.stream()
        .map(h -> h.strip().toLowerCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());
  }
}
