package io.zeroscale.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UnknownKeysTest {

  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  private final UnknownKeys unknown = new UnknownKeys(2, Duration.ofSeconds(30));

  @Test
  void aMissIsBelievedForItsTimeToLive() {
    unknown.add("h1", T0);
    assertThat(unknown.contains("h1", T0.plusSeconds(29))).isTrue();
    assertThat(unknown.contains("h1", T0.plusSeconds(30))).isFalse();
    assertThat(unknown.size()).as("an expired entry is dropped when seen").isZero();
    assertThat(unknown.contains("h2", T0)).isFalse();
  }

  @Test
  void boundedDroppingTheOldest() {
    unknown.add("h1", T0);
    unknown.add("h2", T0);
    unknown.add("h1", T0.plusSeconds(1));
    unknown.add("h3", T0.plusSeconds(2));
    assertThat(unknown.size()).isEqualTo(2);
    assertThat(unknown.contains("h2", T0.plusSeconds(2))).as("oldest, dropped").isFalse();
    assertThat(unknown.contains("h1", T0.plusSeconds(2))).as("re-added, newer").isTrue();
    assertThat(unknown.contains("h3", T0.plusSeconds(2))).isTrue();
  }

  @Test
  void removeAndClearForgetMisses() {
    unknown.add("h1", T0);
    unknown.add("h2", T0);
    unknown.remove("h1");
    assertThat(unknown.contains("h1", T0)).isFalse();
    assertThat(unknown.contains("h2", T0)).isTrue();
    unknown.clear();
    assertThat(unknown.contains("h2", T0)).isFalse();
  }

  @Test
  void sizeZeroRemembersNothing() {
    UnknownKeys off = new UnknownKeys(0, Duration.ofSeconds(30));
    off.add("h1", T0);
    assertThat(off.contains("h1", T0)).isFalse();
  }
}
