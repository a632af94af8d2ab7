package io.zeroscale.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class AuthPropertiesTest {

  private static AuthProperties bind(Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("zeroscale.auth", AuthProperties.class);
  }

  @Test
  void defaults() {
    AuthProperties p = bind(Map.of());
    assertThat(p).isEqualTo(AuthProperties.defaults());
    assertThat(p.cacheTtl()).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.unknownKeyCacheSize()).isEqualTo(10_000);
    assertThat(p.unknownKeyCacheTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.failedAttempts()).isEqualTo(20);
    assertThat(p.failedAttemptsWindow()).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.trackedAddresses()).isEqualTo(10_000);
  }

  @Test
  void bindsKebabCaseNamesAndZeroTurnsTheThrottleOff() {
    AuthProperties p =
        bind(
            Map.of(
                "zeroscale.auth.cache-ttl", "5s",
                "zeroscale.auth.unknown-key-cache-size", "0",
                "zeroscale.auth.failed-attempts", "0"));
    assertThat(p.cacheTtl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.unknownKeyCacheSize()).isZero();
    assertThat(p.throttle()).isSameAs(FailedAuthThrottle.OFF);
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheProperty() {
    assertThatThrownBy(() -> bind(Map.of("zeroscale.auth.cache-ttl", "0s")))
        .isInstanceOf(BindException.class)
        .rootCause()
        .hasMessageContaining("zeroscale.auth.cache-ttl must be positive");
    assertThatThrownBy(() -> bind(Map.of("zeroscale.auth.unknown-key-cache-ttl", "2h")))
        .rootCause()
        .hasMessageContaining("unknown-key-cache-ttl")
        .hasMessageContaining("at most 1h");
    assertThatThrownBy(() -> bind(Map.of("zeroscale.auth.failed-attempts", "-1")))
        .rootCause()
        .hasMessageContaining("failed-attempts must be between 0 and 100000, got -1");
    assertThatThrownBy(() -> bind(Map.of("zeroscale.auth.tracked-addresses", "0")))
        .rootCause()
        .hasMessageContaining("tracked-addresses");
    assertThatThrownBy(() -> bind(Map.of("zeroscale.auth.unknown-key-cache-size", "1000001")))
        .rootCause()
        .hasMessageContaining("unknown-key-cache-size");
  }
}
