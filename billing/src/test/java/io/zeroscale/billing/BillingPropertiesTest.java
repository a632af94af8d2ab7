package io.zeroscale.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Billing's settings are refused at start-up with a message naming the setting and the value. */
class BillingPropertiesTest {

  static final Duration FIVE_S = Duration.ofSeconds(5);

  @Test
  void theDefaultsAreValid() {
    BillingProperties p =
        new BillingProperties(FIVE_S, Duration.ofMinutes(5), Duration.ofSeconds(2));
    assertThat(p.heartbeatTimeout()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void aHeartbeatTimeoutShorterThanTwoHeartbeatsIsRefused() {
    assertThatThrownBy(() -> new BillingProperties(FIVE_S, Duration.ofSeconds(29), FIVE_S))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "zeroscale.billing.heartbeat-timeout must be at least 30s (heartbeats come every 15"
                + " s), got PT29S");
    assertThat(new BillingProperties(FIVE_S, Duration.ofSeconds(30), FIVE_S)).isNotNull();
  }

  @Test
  void intervalsMustBePositive() {
    assertThatThrownBy(() -> new BillingProperties(Duration.ZERO, Duration.ofMinutes(5), FIVE_S))
        .hasMessage("zeroscale.billing.project-interval must be a positive duration, got PT0S");
    assertThatThrownBy(
            () -> new BillingProperties(FIVE_S, Duration.ofMinutes(5), Duration.ofSeconds(-1)))
        .hasMessage("zeroscale.billing.budget-refresh must be a positive duration, got PT-1S");
  }
}
