package io.zeroscale.activator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.activator.ActivatorProperties.RuntimeKind;
import io.zeroscale.activator.reconcile.ActivatorPolicy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class ActivatorPropertiesTest {

  private static ActivatorProperties props(
      RuntimeKind runtime, Duration tick, Duration leaseTtl, int failureLimit) {
    return new ActivatorProperties(
        true,
        runtime,
        tick,
        leaseTtl,
        failureLimit,
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        Duration.ofSeconds(2),
        Duration.ofSeconds(120),
        3,
        Duration.ofSeconds(1),
        Duration.ofSeconds(20),
        Duration.ofSeconds(60),
        Duration.ofSeconds(60),
        Duration.ofSeconds(15),
        Duration.ofSeconds(30),
        30,
        Duration.ofSeconds(5),
        Duration.ofMillis(250),
        Duration.ofMillis(50));
  }

  @Test
  void theDefaultsAreValid() {
    ActivatorProperties p =
        props(RuntimeKind.KUBERNETES, Duration.ofSeconds(1), Duration.ofSeconds(3), 1);
    assertThat(p.runtime()).isEqualTo(RuntimeKind.KUBERNETES);
    assertThat(p.leaseTtl()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void anUnknownRuntimeIsRefused() {
    // The runtime is an enum: an unknown name fails where the properties are bound.
    Binder binder =
        new Binder(
            new MapConfigurationPropertySource(Map.of("zeroscale.activator.runtime", "docker")));
    assertThatThrownBy(() -> binder.bind("zeroscale.activator", ActivatorProperties.class))
        .hasMessageContaining("zeroscale.activator.runtime")
        .hasStackTraceContaining("docker");
  }

  @Test
  void runtimeNamesBindInLowerCase() {
    Binder binder =
        new Binder(
            new MapConfigurationPropertySource(
                Map.of("zeroscale.activator.runtime", "kubernetes")));
    ActivatorProperties p = binder.bind("zeroscale.activator", ActivatorProperties.class).get();
    assertThat(p.runtime()).isEqualTo(RuntimeKind.KUBERNETES);
    assertThat(p.tick()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void theDefaultPolicyKeepsTheValuesOnceHardCodedInTheLoop() {
    ActivatorPolicy p =
        new Binder(
                new MapConfigurationPropertySource(Map.of("zeroscale.activator.enabled", "true")))
            .bind("zeroscale.activator", ActivatorProperties.class)
            .get()
            .policy(Duration.ofSeconds(30));
    assertThat(p.missingGrace()).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.stableAfter()).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.heartbeatEvery()).isEqualTo(Duration.ofSeconds(15));
    assertThat(p.budgetHold()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.slowProbeLimit()).isEqualTo(30);
    assertThat(p.statusResend()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.idlePoll()).isEqualTo(Duration.ofMillis(250));
    assertThat(p.bootPoll()).isEqualTo(Duration.ofMillis(50));
    assertThat(p.stopGrace()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void theSlowProbeLimitMustBePositive() {
    assertThatThrownBy(
            () ->
                new Binder(
                        new MapConfigurationPropertySource(
                            Map.of("zeroscale.activator.slow-probe-limit", "0")))
                    .bind("zeroscale.activator", ActivatorProperties.class))
        .hasStackTraceContaining("zeroscale.activator.slow-probe-limit must be >= 1, got 0");
  }

  @Test
  void theLeaseMustLastAtLeastThreeTicks() {
    assertThatThrownBy(
            () -> props(RuntimeKind.PROCESS, Duration.ofSeconds(2), Duration.ofMillis(5999), 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zeroscale.activator.lease-ttl")
        .hasMessageContaining("3 ticks");
  }

  @Test
  void theFailureLimitMustBePositive() {
    assertThatThrownBy(
            () -> props(RuntimeKind.PROCESS, Duration.ofSeconds(1), Duration.ofSeconds(10), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zeroscale.activator.failure-limit")
        .hasMessageContaining("0");
  }

  @Test
  void aZeroTickIsRefused() {
    assertThatThrownBy(() -> props(RuntimeKind.PROCESS, Duration.ZERO, Duration.ofSeconds(10), 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zeroscale.activator.tick");
  }
}
