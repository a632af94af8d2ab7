package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UpstreamPropertiesTest {

  private static final Duration S = Duration.ofSeconds(1);

  @Test
  void connectTimeoutIsPositiveAndFitsAnIntOfMilliseconds() {
    Duration most = Duration.ofMillis(Integer.MAX_VALUE);
    assertThatCode(() -> new UpstreamProperties(most.plusNanos(999_999), 1, S))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> new UpstreamProperties(most.plusMillis(1), 1, S))
        .hasMessageStartingWith("zeroscale.gateway.upstream.connect-timeout must be positive, got");
    assertThatThrownBy(() -> new UpstreamProperties(Duration.ZERO, 1, S))
        .hasMessage("zeroscale.gateway.upstream.connect-timeout must be positive, got PT0S");
  }

  @Test
  void connectionsAndIdleTimeAreChecked() {
    assertThatThrownBy(() -> new UpstreamProperties(S, 0, S))
        .hasMessage("zeroscale.gateway.upstream.max-connections must be 1..65536, got 0");
    assertThatThrownBy(() -> new UpstreamProperties(S, 65_537, S))
        .hasMessage("zeroscale.gateway.upstream.max-connections must be 1..65536, got 65537");
    assertThatThrownBy(() -> new UpstreamProperties(S, 1, null))
        .hasMessage("zeroscale.gateway.upstream.max-idle-time must be positive, got null");
  }
}
