package io.zeroscale.gateway.deployment;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code zeroscale.deployments.*}.
 *
 * @param sweepInterval how often the sweeper resyncs Redis with the database, finalizes idle {@code
 *     deleting} deployments and resumes interrupted imports (first sweep at start-up)
 */
@ConfigurationProperties("zeroscale.deployments")
public record DeploymentsProperties(@DefaultValue("30s") Duration sweepInterval) {

  public DeploymentsProperties {
    if (sweepInterval == null || sweepInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          "zeroscale.deployments.sweep-interval must be at least 1s, got " + sweepInterval);
    }
  }
}
