package io.zeroscale.billing;

import io.zeroscale.api.Checks;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Billing's settings ({@code zeroscale.billing.*}), checked at start-up.
 *
 * @param projectInterval how often events become ledger rows and spend limits are re-evaluated
 * @param heartbeatTimeout an instance with no heartbeat and no {@code stopped} event for this long
 *     is closed at its last heartbeat; at least 30 s, as heartbeats come every 15 s
 * @param budgetRefresh how often gateways re-read the budgets (changes are also pushed by pub/sub)
 */
@ConfigurationProperties("zeroscale.billing")
public record BillingProperties(
    @DefaultValue("5s") Duration projectInterval,
    @DefaultValue("5m") Duration heartbeatTimeout,
    @DefaultValue("2s") Duration budgetRefresh) {

  /** Heartbeats come every 15 s: two missed ones must not close an instance. */
  static final Duration MIN_HEARTBEAT_TIMEOUT = Duration.ofSeconds(30);

  private static final Checks CHECKS = new Checks("zeroscale.billing.");

  public BillingProperties {
    CHECKS.positive("project-interval", projectInterval);
    CHECKS.positive("budget-refresh", budgetRefresh);
    CHECKS.positive("heartbeat-timeout", heartbeatTimeout);
    CHECKS.check(
        heartbeatTimeout.compareTo(MIN_HEARTBEAT_TIMEOUT) >= 0,
        "heartbeat-timeout",
        heartbeatTimeout,
        "must be at least 30s (heartbeats come every 15 s)");
  }
}
