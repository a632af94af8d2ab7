package io.zeroscale.gateway.ratelimit;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.redisson.api.RedissonClient;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wiring of the per-key rate limiter on the application's Redis. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RateLimitProperties.class)
public class RateLimitConfiguration {

  @Bean
  RateStore rateStore(RedissonClient redisson, Clock clock) {
    return RedisRateStore.create(redisson, clock);
  }

  @Bean(initMethod = "start", destroyMethod = "close")
  KeyRateLimiter rateLimiter(
      RateStore store, RateLimitProperties properties, Clock clock, MeterRegistry meters) {
    return new KeyRateLimiter(store, properties, clock, meters);
  }
}
