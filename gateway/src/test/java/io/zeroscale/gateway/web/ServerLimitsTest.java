package io.zeroscale.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerLimitsTest {

  @Test
  void everyTimeoutMustBePositiveAndIsNamed() {
    Duration s = Duration.ofSeconds(1);
    assertThatThrownBy(() -> new ServerLimits(Duration.ZERO, s, s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "zeroscale.gateway.server.request-head-timeout must be a positive duration, got PT0S");
    assertThatThrownBy(() -> new ServerLimits(s, null, s))
        .hasMessage(
            "zeroscale.gateway.server.body-idle-timeout must be a positive duration, got null");
    assertThatThrownBy(() -> new ServerLimits(s, s, Duration.ofSeconds(-1)))
        .hasMessage("zeroscale.gateway.server.body-timeout must be a positive duration, got PT-1S");
    assertThat(ServerLimits.defaults().bodyTimeout()).isEqualTo(Duration.ofSeconds(300));
  }
}
