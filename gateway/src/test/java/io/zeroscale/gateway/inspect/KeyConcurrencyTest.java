package io.zeroscale.gateway.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class KeyConcurrencyTest {

  @Test
  void aKeyGetsItsLimitAndNoMoreUntilOneEnds() {
    KeyConcurrency c = new KeyConcurrency(new KeyConcurrency.Limit(2));
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    assertThat(c.tryAcquire(a)).isTrue();
    assertThat(c.tryAcquire(a)).isTrue();
    assertThat(c.tryAcquire(a)).isFalse();
    assertThat(c.inFlight(a)).isEqualTo(2);
    assertThat(c.tryAcquire(b)).as("another key is not affected").isTrue();
    c.release(a);
    assertThat(c.tryAcquire(a)).isTrue();
    c.release(a);
    c.release(a);
    assertThat(c.inFlight(a)).isZero();
    c.release(a);
    assertThat(c.inFlight(a)).as("never below zero").isZero();
  }

  @Test
  void keylessPrincipalsAreNotBound() {
    KeyConcurrency c = new KeyConcurrency(new KeyConcurrency.Limit(1));
    assertThat(c.tryAcquire(null)).isTrue();
    assertThat(c.tryAcquire(null)).isTrue();
  }

  @Test
  void theRefusalIsA429AndTheLimitIsValidated() {
    var e = new KeyConcurrency(new KeyConcurrency.Limit(7)).refusal();
    assertThat(e.status()).isEqualTo(429);
    assertThat(e.code()).isEqualTo("rate_limit_exceeded");
    assertThat(e.message()).contains("at most 7");
    assertThatIllegalArgumentException().isThrownBy(() -> new KeyConcurrency.Limit(0));
  }
}
