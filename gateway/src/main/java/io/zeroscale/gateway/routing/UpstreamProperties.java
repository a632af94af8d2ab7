package io.zeroscale.gateway.routing;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code zeroscale.gateway.upstream.*}: the gateway's connections to instances.
 *
 * @param connectTimeout instances are on the same network: a connect that takes longer is a dead
 *     one (the request gets a 502 and the instance a 5 s pause from this gateway); default 2 s
 * @param maxConnections connections to one instance from one event loop; a deployment's {@code
 *     max_batch_size} bounds what is in flight anyway, so this is only a ceiling; default 4096
 * @param maxIdleTime an idle connection older than this is not reused; below the 5 s keep-alive of
 *     vLLM's server (uvicorn), so that the gateway does not send on a connection the instance is
 *     closing; default 4 s
 */
@ConfigurationProperties("zeroscale.gateway.upstream")
public record UpstreamProperties(
    @DefaultValue("2s") Duration connectTimeout,
    @DefaultValue("4096") int maxConnections,
    @DefaultValue("4s") Duration maxIdleTime) {

  public UpstreamProperties {
    if (connectTimeout == null
        || connectTimeout.isNegative()
        || connectTimeout.isZero()
        || connectTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "zeroscale.gateway.upstream.connect-timeout must be positive, got " + connectTimeout);
    }
    if (maxConnections < 1 || maxConnections > 65_536) {
      throw new IllegalArgumentException(
          "zeroscale.gateway.upstream.max-connections must be 1..65536, got " + maxConnections);
    }
    if (maxIdleTime == null || maxIdleTime.isNegative() || maxIdleTime.isZero()) {
      throw new IllegalArgumentException(
          "zeroscale.gateway.upstream.max-idle-time must be positive, got " + maxIdleTime);
    }
  }

  /** The defaults, for tests and for code built without Spring. */
  public static UpstreamProperties defaults() {
    return new UpstreamProperties(Duration.ofSeconds(2), 4096, Duration.ofSeconds(4));
  }
}
