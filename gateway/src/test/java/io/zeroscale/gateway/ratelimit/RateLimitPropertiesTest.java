package io.zeroscale.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.gateway.auth.Principal;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class RateLimitPropertiesTest {

  private static RateLimitProperties bind(Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("zeroscale.rate-limits", RateLimitProperties.class);
  }

  @Test
  void defaultsAreEnabledWithNoLimit() {
    RateLimitProperties p = bind(Map.of());
    assertThat(p).isEqualTo(RateLimitProperties.defaults());
    assertThat(p.enabled()).isTrue();
    assertThat(p.defaultLimits()).isEqualTo(Principal.Limits.INHERIT);
    assertThat(p.redisTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(p.failOpenFor()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.lease()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void bindsKebabCaseNames() {
    RateLimitProperties p =
        bind(
            Map.of(
                "zeroscale.rate-limits.enabled", "false",
                "zeroscale.rate-limits.default-requests-per-minute", "600",
                "zeroscale.rate-limits.default-max-concurrent-requests", "8",
                "zeroscale.rate-limits.lease", "1m"));
    assertThat(p.enabled()).isFalse();
    assertThat(p.defaultLimits()).isEqualTo(new Principal.Limits(600, 8));
    assertThat(p.lease()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheProperty() {
    assertThatThrownBy(() -> props(0, null, "250ms", "5s", "30s"))
        .hasMessageContaining("default-requests-per-minute")
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> props(null, 1_000_001, "250ms", "5s", "30s"))
        .hasMessageContaining("default-max-concurrent-requests");
    assertThatThrownBy(() -> props(null, null, "0s", "5s", "30s"))
        .hasMessageContaining("redis-timeout");
    assertThatThrownBy(() -> props(null, null, "11s", "5s", "30s"))
        .hasMessageContaining("redis-timeout");
    assertThatThrownBy(() -> props(null, null, "250ms", "-1s", "30s"))
        .hasMessageContaining("fail-open-for");
    assertThatThrownBy(() -> props(null, null, "250ms", "5s", "2s")).hasMessageContaining("lease");
    assertThat(props(1, 1_000_000, "10s", "0s", "3s").defaultLimits())
        .isEqualTo(new Principal.Limits(1, 1_000_000));
  }

  private static RateLimitProperties props(
      Integer rpm, Integer concurrent, String timeout, String failOpenFor, String lease) {
    return new RateLimitProperties(
        true, rpm, concurrent, parse(timeout), parse(failOpenFor), parse(lease));
  }

  private static Duration parse(String s) {
    if (s.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
    }
    return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
  }
}
