package io.zeroscale.standalone;

import java.time.Duration;
import org.redisson.api.RedissonClient;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import reactor.core.publisher.Mono;

/** Redis is up when a trivial command answers within a second. */
final class RedisHealthIndicator extends AbstractReactiveHealthIndicator {

  private final RedissonClient redisson;

  RedisHealthIndicator(RedissonClient redisson) {
    super("Redis health check failed");
    this.redisson = redisson;
  }

  @Override
  protected Mono<Health> doHealthCheck(Health.Builder builder) {
    return redisson
        .reactive()
        .getKeys()
        .count()
        .timeout(Duration.ofSeconds(1))
        .map(keys -> builder.up().withDetail("keys", keys).build());
  }
}
