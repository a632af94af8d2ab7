package io.zeroscale.gateway.deployment;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code zeroscale.deployments.*}.
 *
 * @param sweepInterval how often the sweeper resyncs Redis with the database, finalizes idle {@code
 *     deleting} deployments and resumes interrupted imports (first sweep at start-up)
 * @param maxRevisions revisions kept per deployment: past it, a new revision deletes the oldest
 *     {@code superseded} and {@code failed} ones (at least 2)
 */
@ConfigurationProperties("zeroscale.deployments")
public record DeploymentsProperties(
    @DefaultValue("30s") Duration sweepInterval, @DefaultValue("100") int maxRevisions) {

  /** {@code zeroscale.deployments.max-revisions} by default. */
  public static final int DEFAULT_MAX_REVISIONS = 100;

  /** The fewest revisions a deployment may keep: its active one and a new one. */
  public static final int MIN_MAX_REVISIONS = 2;

  public DeploymentsProperties {
    if (maxRevisions < MIN_MAX_REVISIONS) {
      throw new IllegalArgumentException(
          "zeroscale.deployments.max-revisions must be at least "
              + MIN_MAX_REVISIONS
              + ", got "
              + maxRevisions);
    }
    if (sweepInterval == null || sweepInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          "zeroscale.deployments.sweep-interval must be at least 1s, got " + sweepInterval);
    }
  }
}
