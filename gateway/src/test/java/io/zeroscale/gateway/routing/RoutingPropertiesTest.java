package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RoutingPropertiesTest {

  private static final Duration S = Duration.ofSeconds(1);

  @Test
  void heartbeatAndResyncArePositive() {
    assertThatThrownBy(() -> new RoutingProperties(Duration.ZERO, S, S, S))
        .hasMessage("zeroscale.gateway.heartbeat must be positive, got PT0S");
    assertThatThrownBy(() -> new RoutingProperties(S, Duration.ofSeconds(-1), S, S))
        .hasMessage("zeroscale.gateway.resync must be positive, got PT-1S");
    assertThatThrownBy(() -> new RoutingProperties(S, null, S, S))
        .hasMessage("zeroscale.gateway.resync must be positive, got null");
  }

  @Test
  void graceAndKeepAliveMayBeZeroButNotNegative() {
    assertThatCode(() -> new RoutingProperties(S, S, Duration.ZERO, Duration.ZERO))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> new RoutingProperties(S, S, Duration.ofMillis(-1), S))
        .hasMessage("zeroscale.gateway.missing-grace must not be negative, got PT-0.001S");
    assertThatThrownBy(() -> new RoutingProperties(S, S, S, Duration.ofSeconds(-15)))
        .hasMessage("zeroscale.gateway.hold-keepalive must not be negative, got PT-15S");
  }
}
