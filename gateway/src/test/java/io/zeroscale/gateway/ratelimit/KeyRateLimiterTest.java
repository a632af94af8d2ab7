package io.zeroscale.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zeroscale.api.testing.MutableClock;
import io.zeroscale.gateway.auth.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class KeyRateLimiterTest {

  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final UUID TENANT = UUID.randomUUID();

  private final MutableClock clock = MutableClock.at(T0);
  private final FakeRateStore store = new FakeRateStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private static RateLimitProperties props(Integer rpm, Integer concurrent) {
    return new RateLimitProperties(
        true,
        rpm,
        concurrent,
        Duration.ofMillis(250),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30));
  }

  private KeyRateLimiter limiter(RateLimitProperties p) {
    return new KeyRateLimiter(store, p, clock, meters);
  }

  private static Principal key(Integer rpm, Integer concurrent) {
    return new Principal(
        UUID.randomUUID(),
        TENANT,
        "acme",
        Set.of("inference:*"),
        new Principal.Limits(rpm, concurrent));
  }

  private static RateDecision acquire(KeyRateLimiter limiter, Principal p) {
    return limiter.acquire(p).block(Duration.ofSeconds(5));
  }

  private double limited(String kind) {
    return meters.counter("zeroscale.ratelimit.limited", "kind", kind).count();
  }

  private double failOpen() {
    return meters.counter("zeroscale.failopen", "dependency", "redis", "path", "ratelimit").count();
  }

  @Test
  void aKeyWithNoLimitAnywhereNeverReachesTheStore() {
    KeyRateLimiter limiter = limiter(props(null, null));
    RateDecision d = acquire(limiter, key(null, null));
    assertThat(d).isInstanceOf(RateDecision.Allowed.class);
    RateDecision.Allowed a = (RateDecision.Allowed) d;
    assertThat(a.limit()).isEqualTo(RateDecision.UNLIMITED);
    a.release().run();
    assertThat(store.calls).hasValue(0);
  }

  @Test
  void theBootstrapAdminKeyAndADisabledLimiterNeverReachTheStore() {
    Principal admin = new Principal(null, null, null, Set.of("admin"));
    assertThat(acquire(limiter(props(1, 1)), admin)).isInstanceOf(RateDecision.Allowed.class);
    assertThat(acquire(limiter(props(1, 1)), admin)).isInstanceOf(RateDecision.Allowed.class);
    KeyRateLimiter off =
        new KeyRateLimiter(
            store,
            new RateLimitProperties(
                false, 1, 1, Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ofSeconds(30)),
            clock,
            meters);
    Principal limitedKey = key(1, 1);
    assertThat(acquire(off, limitedKey)).isInstanceOf(RateDecision.Allowed.class);
    assertThat(acquire(off, limitedKey)).isInstanceOf(RateDecision.Allowed.class);
    assertThat(store.calls).hasValue(0);
  }

  @Test
  void requestsPerMinuteCountDownThenRefuseWithRetryAfter() {
    KeyRateLimiter limiter = limiter(props(null, null));
    Principal p = key(3, null);
    for (int remaining = 2; remaining >= 0; remaining--) {
      RateDecision.Allowed a = (RateDecision.Allowed) acquire(limiter, p);
      assertThat(a.limit()).isEqualTo(3);
      assertThat(a.remaining()).isEqualTo(remaining);
      assertThat(a.resetIn()).isEqualTo(Duration.ofMinutes(1));
    }
    RateDecision d = acquire(limiter, p);
    assertThat(d).isInstanceOf(RateDecision.Limited.class);
    RateDecision.Limited l = (RateDecision.Limited) d;
    // 3 a minute: one comes back every 20 s.
    assertThat(l.retryAfter()).isEqualTo(Duration.ofSeconds(20));
    assertThat(l.retryAfterSeconds()).isEqualTo(20);
    assertThat(l.limit()).isEqualTo(3);
    assertThat(l.remaining()).isZero();
    assertThat(l.message()).contains("requests per minute").contains("limit 3").contains("20s");
    assertThat(limited("requests")).isEqualTo(1.0);
    assertThat(limited("concurrency")).isZero();
  }

  @Test
  void theKeysOwnLimitBeatsTheDefaultAndTheDefaultFillsTheGap() {
    KeyRateLimiter limiter = limiter(props(100, null));
    Principal own = key(1, null);
    assertThat(acquire(limiter, own)).isInstanceOf(RateDecision.Allowed.class);
    assertThat(acquire(limiter, own)).isInstanceOf(RateDecision.Limited.class);

    KeyRateLimiter strict = limiter(props(1, null));
    Principal inheriting = key(null, null);
    RateDecision.Allowed first = (RateDecision.Allowed) acquire(strict, inheriting);
    assertThat(first.limit()).isEqualTo(1);
    assertThat(acquire(strict, inheriting)).isInstanceOf(RateDecision.Limited.class);
  }

  @Test
  void aRefusedKeyIsRefusedFromMemoryUntilItsRetryAfter() {
    KeyRateLimiter limiter = limiter(props(null, null));
    Principal p = key(2, null);
    acquire(limiter, p);
    acquire(limiter, p);
    assertThat(acquire(limiter, p)).isInstanceOf(RateDecision.Limited.class);
    int calls = store.calls.get();

    clock.advance(Duration.ofSeconds(10));
    RateDecision.Limited remembered = (RateDecision.Limited) acquire(limiter, p);
    assertThat(remembered.retryAfter()).isEqualTo(Duration.ofSeconds(20));
    assertThat(remembered.resetIn()).isEqualTo(Duration.ofSeconds(50));
    assertThat(store.calls).hasValue(calls);
    assertThat(limited("requests")).isEqualTo(2.0);

    // Past Retry-After the store is asked again.
    clock.advance(Duration.ofSeconds(20));
    acquire(limiter, p);
    assertThat(store.calls).hasValue(calls + 1);
  }

  @Test
  void aChangedLimitIsNotAnsweredFromTheOldRefusal() {
    KeyRateLimiter limiter = limiter(props(null, null));
    UUID id = UUID.randomUUID();
    Principal one = new Principal(id, TENANT, "acme", Set.of(), new Principal.Limits(1, null));
    acquire(limiter, one);
    assertThat(acquire(limiter, one)).isInstanceOf(RateDecision.Limited.class);
    int calls = store.calls.get();
    store.used.clear();
    Principal raised = new Principal(id, TENANT, "acme", Set.of(), new Principal.Limits(5, null));
    assertThat(acquire(limiter, raised)).isInstanceOf(RateDecision.Allowed.class);
    assertThat(store.calls).hasValue(calls + 1);
  }

  @Test
  void concurrencyIsCappedAndASlotComesBackOnReleaseExactlyOnce() {
    KeyRateLimiter limiter = limiter(props(null, null));
    Principal p = key(null, 2);
    RateDecision.Allowed a = (RateDecision.Allowed) acquire(limiter, p);
    RateDecision.Allowed b = (RateDecision.Allowed) acquire(limiter, p);
    assertThat(a.limit()).isEqualTo(RateDecision.UNLIMITED);
    assertThat(limiter.slotsInFlight()).isEqualTo(2);

    RateDecision.Limited l = (RateDecision.Limited) acquire(limiter, p);
    assertThat(l.retryAfter()).isEqualTo(KeyRateLimiter.CONCURRENCY_RETRY_AFTER);
    assertThat(l.limit()).isEqualTo(RateDecision.UNLIMITED);
    assertThat(l.message()).contains("at most 2 at once");
    assertThat(limited("concurrency")).isEqualTo(1.0);

    a.release().run();
    a.release().run();
    assertThat(store.released).hasSize(1);
    assertThat(store.slotsTaken(p.keyId())).isEqualTo(1);
    assertThat(limiter.slotsInFlight()).isEqualTo(1);
    assertThat(acquire(limiter, p)).isInstanceOf(RateDecision.Allowed.class);
    assertThat(acquire(limiter, p)).isInstanceOf(RateDecision.Limited.class);
    b.release().run();
    assertThat(store.slotsTaken(p.keyId())).isEqualTo(1);
  }

  @Test
  void aRequestRefusedForItsRateGivesBackTheSlotItTookInParallel() {
    KeyRateLimiter limiter = limiter(props(null, null));
    Principal p = key(1, 5);
    RateDecision.Allowed first = (RateDecision.Allowed) acquire(limiter, p);
    assertThat(first.limit()).isEqualTo(1);
    assertThat(acquire(limiter, p)).isInstanceOf(RateDecision.Limited.class);
    assertThat(store.slotsTaken(p.keyId())).isEqualTo(1);
    assertThat(store.released).hasSize(1);
    assertThat(limiter.slotsInFlight()).isEqualTo(1);
  }

  @Test
  void aRequestRefusedForConcurrencyStillCountsTowardsItsRate() {
    KeyRateLimiter limiter = limiter(props(null, null));
    Principal p = key(10, 1);
    RateDecision.Allowed held = (RateDecision.Allowed) acquire(limiter, p);
    assertThat(held.remaining()).isEqualTo(9);
    RateDecision.Limited l = (RateDecision.Limited) acquire(limiter, p);
    assertThat(l.limit()).isEqualTo(10);
    assertThat(l.remaining()).isEqualTo(8);
  }

  @Test
  void aStoreErrorFailsOpenThenSkipsTheStoreForAWhile() {
    KeyRateLimiter limiter = limiter(props(null, null));
    Principal p = key(1, 1);
    store.down = true;
    RateDecision.Allowed a = (RateDecision.Allowed) acquire(limiter, p);
    assertThat(a.limit()).isEqualTo(RateDecision.UNLIMITED);
    assertThat(failOpen()).isEqualTo(1.0);
    int calls = store.calls.get();

    // Within fail-open-for (5 s): no store call at all, still counted.
    clock.advance(Duration.ofSeconds(4));
    assertThat(acquire(limiter, p)).isInstanceOf(RateDecision.Allowed.class);
    assertThat(store.calls).hasValue(calls);
    assertThat(failOpen()).isEqualTo(2.0);

    // Afterwards the store is tried again, and limits apply once it answers.
    store.down = false;
    clock.advance(Duration.ofSeconds(1));
    RateDecision.Allowed checked = (RateDecision.Allowed) acquire(limiter, p);
    assertThat(checked.limit()).isEqualTo(1);
    assertThat(acquire(limiter, p)).isInstanceOf(RateDecision.Limited.class);
    assertThat(failOpen()).isEqualTo(2.0);
  }

  @Test
  void aSlowStoreFailsOpenAtTheTimeoutAndFreesTheSlotItMayHaveTaken() {
    KeyRateLimiter limiter = limiter(props(null, null));
    Principal p = key(5, 3);
    store.consumeHangs = true;
    StepVerifier.withVirtualTime(() -> limiter.acquire(p))
        .thenAwait(Duration.ofMillis(250))
        .assertNext(d -> assertThat(d).isInstanceOf(RateDecision.Allowed.class))
        .verifyComplete();
    assertThat(failOpen()).isEqualTo(1.0);
    assertThat(store.released).hasSize(1);
    assertThat(store.slotsTaken(p.keyId())).isZero();
    assertThat(limiter.slotsInFlight()).isZero();
  }

  @Test
  void slotsInFlightAreRenewedUntilReleased() {
    KeyRateLimiter limiter = limiter(props(null, null));
    Principal p = key(null, 5);
    Principal q = key(null, 5);
    RateDecision.Allowed p1 = (RateDecision.Allowed) acquire(limiter, p);
    acquire(limiter, p);
    acquire(limiter, q);
    clock.advance(Duration.ofSeconds(10));
    limiter.renewLeases().block(Duration.ofSeconds(5));
    assertThat(store.renewed).hasSize(3).doesNotHaveDuplicates();
    assertThat(store.renewedAt).isEqualTo(T0.plusSeconds(10));
    assertThat(store.renewedLease).isEqualTo(Duration.ofSeconds(30));

    p1.release().run();
    store.renewed.clear();
    limiter.renewLeases().block(Duration.ofSeconds(5));
    assertThat(store.renewed).hasSize(2).doesNotContain(store.released.getFirst());
  }

  @Test
  void limitsFallBackFieldByField() {
    Principal.Limits own = new Principal.Limits(10, null);
    assertThat(own.orElse(new Principal.Limits(99, 4))).isEqualTo(new Principal.Limits(10, 4));
    assertThat(Principal.Limits.INHERIT.orElse(Principal.Limits.INHERIT))
        .isEqualTo(Principal.Limits.INHERIT);
  }

  @Test
  void failuresAreLoggedInOneShortLine() {
    String brief = KeyRateLimiter.brief(new IllegalStateException("command:\n" + "x".repeat(500)));
    assertThat(brief).hasSize(200).endsWith("...").doesNotContain("\n");
    assertThat(KeyRateLimiter.brief(new IllegalStateException("refused")))
        .isEqualTo("java.lang.IllegalStateException: refused");
  }
}
