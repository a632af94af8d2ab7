package io.zeroscale.standalone;

import io.zeroscale.activator.core.DeploymentStatusPort;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.gateway.deployment.DeploymentService;
import java.time.Clock;
import java.util.UUID;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/** The composition root's own beans: the shared Redis client, its health, the demo tenant. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RedisConnectionProperties.class)
class StandaloneConfiguration {

  /** The one clock every component reads; tests of the components inject their own. */
  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean(destroyMethod = "shutdown")
  RedissonClient redissonClient(RedisConnectionProperties redis) {
    Config config = new Config();
    // Two cores: a small pool and few Netty threads are plenty for our Redis traffic, which is
    // pub/sub plus a few keys per second per deployment (never a round-trip per request).
    config.setNettyThreads(4);
    config
        .useSingleServer()
        .setAddress(redis.url())
        .setConnectionMinimumIdleSize(2)
        .setConnectionPoolSize(16)
        .setSubscriptionConnectionMinimumIdleSize(1);
    // The embedded Redis's generated password, or an operator's for an external one; credentials
    // in an external URL (redis://:secret@host:6379) are Redisson's to read and stay untouched.
    if (redis.password() != null) {
      config.setPassword(redis.password());
    }
    return Redisson.create(config);
  }

  @Bean
  ReactiveHealthIndicator redisHealthIndicator(RedissonClient redisson) {
    return new RedisHealthIndicator(redisson);
  }

  /**
   * The activator reports statuses to the control plane in-process; the control plane stores them
   * and publishes the spec, as it does for every other change.
   */
  @Bean
  DeploymentStatusPort deploymentStatusPort(DeploymentService deployments) {
    return new DeploymentStatusPort() {
      @Override
      public Mono<Void> report(String deploymentId, DeploymentStatus status, String reason) {
        return deployments.reportStatus(UUID.fromString(deploymentId), status, reason);
      }

      @Override
      public Mono<Void> finalizeDeleted(String deploymentId) {
        return deployments.finalizeDeleted(UUID.fromString(deploymentId));
      }

      @Override
      public Mono<Void> rolloutEnded(
          String deploymentId, int revision, boolean succeeded, String reason) {
        return deployments.rolloutEnded(UUID.fromString(deploymentId), revision, succeeded, reason);
      }
    };
  }

  @Bean
  DemoTenantBootstrap demoTenantBootstrap(DatabaseClient db, Environment env) {
    return new DemoTenantBootstrap(db, env);
  }
}
