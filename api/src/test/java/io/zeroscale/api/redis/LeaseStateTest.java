package io.zeroscale.api.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.redis.LeaseState.Change;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaseStateTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration TTL = Duration.ofSeconds(10);
  static final Optional<Boolean> HELD = Optional.of(true);
  static final Optional<Boolean> NOT_HELD = Optional.of(false);
  static final Optional<Boolean> NO_ANSWER = Optional.empty();

  @Test
  void aContenderGainsRenewsAndLosesTheLeaseToAnother() {
    LeaseState s = new LeaseState();
    assertThat(s.apply(NOT_HELD, T0, TTL)).isEqualTo(Change.FOLLOWING);
    assertThat(s.apply(HELD, T0, TTL)).isEqualTo(Change.GAINED);
    assertThat(s.held()).isTrue();
    assertThat(s.apply(HELD, T0.plusSeconds(1), TTL)).isEqualTo(Change.RENEWED);
    assertThat(s.apply(NOT_HELD, T0.plusSeconds(2), TTL)).isEqualTo(Change.TAKEN);
    assertThat(s.held()).isFalse();
    assertThat(Change.RENEWED.leads()).isTrue();
    assertThat(Change.TAKEN.leads()).isFalse();
  }

  @Test
  void withoutAnswersALeaderLeadsUntilItsLeaseWouldHaveExpired() {
    LeaseState s = new LeaseState();
    s.apply(HELD, T0, TTL);
    assertThat(s.apply(NO_ANSWER, T0.plusSeconds(9), TTL)).isEqualTo(Change.UNREACHABLE);
    assertThat(s.held()).isTrue();
    assertThat(s.apply(NO_ANSWER, T0.plusSeconds(10), TTL)).isEqualTo(Change.EXPIRED);
    assertThat(s.held()).isFalse();
    assertThat(s.apply(NO_ANSWER, T0.plusSeconds(11), TTL)).isEqualTo(Change.UNREACHABLE);
  }

  @Test
  void dropGivesTheLeaseUpLocally() {
    LeaseState s = new LeaseState();
    s.apply(HELD, T0, TTL);
    s.drop();
    assertThat(s.held()).isFalse();
    assertThat(s.apply(HELD, T0.plusSeconds(1), TTL)).isEqualTo(Change.GAINED);
  }
}
