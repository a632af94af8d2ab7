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
  void rotationGraceDefaultsToNoneAndIsBoundedByTheMaximum() {
    AuthProperties p = bind(Map.of());
    assertThat(p.rotationGrace()).isZero();
    assertThat(p.maxRotationGrace()).isEqualTo(Duration.ofHours(24));
    AuthProperties set =
        bind(
            Map.of(
                "zeroscale.auth.rotation-grace", "10m",
                "zeroscale.auth.max-rotation-grace", "2h"));
    assertThat(set.rotationGrace()).isEqualTo(Duration.ofMinutes(10));
    assertThat(set.maxRotationGrace()).isEqualTo(Duration.ofHours(2));
    assertThatThrownBy(() -> bind(Map.of("zeroscale.auth.rotation-grace", "25h")))
        .rootCause()
        .hasMessageContaining("zeroscale.auth.rotation-grace must be at most")
        .hasMessageContaining("max-rotation-grace");
    assertThatThrownBy(() -> bind(Map.of("zeroscale.auth.rotation-grace", "-1s")))
        .rootCause()
        .hasMessageContaining("zeroscale.auth.rotation-grace must not be negative");
    assertThatThrownBy(() -> bind(Map.of("zeroscale.auth.max-rotation-grace", "8d")))
        .rootCause()
        .hasMessageContaining("zeroscale.auth.max-rotation-grace must be at most 7d");
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
