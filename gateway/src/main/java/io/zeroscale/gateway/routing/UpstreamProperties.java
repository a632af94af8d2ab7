package io.zeroscale.gateway.routing;

import io.zeroscale.gateway.settings.Checks;
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
    Checks.positiveAtMost(
        "zeroscale.gateway.upstream.connect-timeout",
        connectTimeout,
        // toMillis() at most Integer.MAX_VALUE (Reactor Netty takes the timeout as an int).
        Duration.ofMillis(Integer.MAX_VALUE + 1L).minusNanos(1),
        "must be positive");
    Checks.range(
        "zeroscale.gateway.upstream.max-connections",
        maxConnections,
        1,
        65_536,
        "must be 1..65536");
    Checks.positive("zeroscale.gateway.upstream.max-idle-time", maxIdleTime, "must be positive");
  }

  /** The defaults, for tests and for code built without Spring. */
  public static UpstreamProperties defaults() {
    return new UpstreamProperties(Duration.ofSeconds(2), 4096, Duration.ofSeconds(4));
  }
}
