package io.zeroscale.gateway.routing;

import io.zeroscale.gateway.settings.Checks;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code zeroscale.gateway.*}: the timings of the data plane's Redis sync and of held streams.
 *
 * @param heartbeat how often this gateway renews its fleet membership and publishes its demand;
 *     default 1 s
 * @param resync how often the mirrors of deployments and instances are rebuilt from Redis in full
 *     (a missed message heals); default 10 s
 * @param missingGrace a deployment or an instance missing from Redis is dropped from the mirrors
 *     only after this long (Redis keeps nothing across a restart); default 60 s
 * @param holdKeepalive how long a held stream waits silently before its first {@code : waiting for
 *     instance} comment, and the interval between them (0 turns them off); default 15 s
 */
@ConfigurationProperties("zeroscale.gateway")
public record RoutingProperties(
    @DefaultValue("1s") Duration heartbeat,
    @DefaultValue("10s") Duration resync,
    @DefaultValue("60s") Duration missingGrace,
    @DefaultValue("15s") Duration holdKeepalive) {

  public RoutingProperties {
    Checks.positive("zeroscale.gateway.heartbeat", heartbeat, "must be positive");
    Checks.positive("zeroscale.gateway.resync", resync, "must be positive");
    Checks.notNegative("zeroscale.gateway.missing-grace", missingGrace, "must not be negative");
    Checks.notNegative("zeroscale.gateway.hold-keepalive", holdKeepalive, "must not be negative");
  }
}
