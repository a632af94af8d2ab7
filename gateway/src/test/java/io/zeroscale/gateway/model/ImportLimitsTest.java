package io.zeroscale.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.testing.MutableClock;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ImportLimitsTest {

  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final Duration HUB_TIMEOUT = Duration.ofSeconds(5);
  private static final UUID ACME = UUID.randomUUID();
  private static final UUID GLOBEX = UUID.randomUUID();

  private final MutableClock clock = MutableClock.at(T0);
  private final ImportLimits limits =
      new ImportLimits(new ModelsProperties(30, 5, 500, false), HUB_TIMEOUT, clock);

  private int allowedNow(ImportLimits l, UUID tenant, int attempts) {
    int allowed = 0;
    for (int i = 0; i < attempts; i++) {
      if (l.take(tenant).isEmpty()) {
        allowed++;
      }
    }
    return allowed;
  }

  @Test
  void thirtyImportsMayBeMadeAtOnceThenOneEveryTwoMinutes() {
    assertThat(allowedNow(limits, ACME, 30)).isEqualTo(30);

    Optional<ZeroscaleException> refused = limits.take(ACME);

    // 30 an hour is one every 3600 s / 30 = 120 s: the next one is 2 minutes away.
    assertThat(refused)
        .hasValueSatisfying(
            e -> {
              assertThat(e.error().status()).isEqualTo(429);
              assertThat(e.error().code()).isEqualTo("rate_limit_exceeded");
              assertThat(e.error().type()).isEqualTo("rate_limit_error");
              assertThat(e.error().message()).contains("30 model imports per hour", "2m0s");
              assertThat(e.retryAfterSeconds()).isEqualTo(120);
            });

    clock.advance(Duration.ofSeconds(119));
    assertThat(limits.take(ACME))
        .hasValueSatisfying(e -> assertThat(e.retryAfterSeconds()).isEqualTo(1));
    clock.advance(Duration.ofSeconds(1));
    assertThat(limits.take(ACME)).isEmpty();
    assertThat(limits.take(ACME)).isPresent();
  }

  @Test
  void aRefusedAttemptDoesNotPushTheNextOneFurther() {
    allowedNow(limits, ACME, 30);
    allowedNow(limits, ACME, 100);

    clock.advance(Duration.ofSeconds(120));

    assertThat(limits.take(ACME)).isEmpty();
  }

  @Test
  void anHourIdleRefillsTheWholeBucket() {
    allowedNow(limits, ACME, 30);

    clock.advance(Duration.ofHours(1));

    assertThat(allowedNow(limits, ACME, 31)).isEqualTo(30);
  }

  @Test
  void tenantsHaveTheirOwnBuckets() {
    allowedNow(limits, ACME, 30);

    assertThat(limits.take(ACME)).isPresent();
    assertThat(limits.take(GLOBEX)).isEmpty();
  }

  @Test
  void retryAfterIsRoundedUpToWholeSeconds() {
    // 7 an hour: one every 514.285… s, so a client told 514 would be refused again.
    ImportLimits seven =
        new ImportLimits(new ModelsProperties(7, 5, 500, false), HUB_TIMEOUT, clock);
    allowedNow(seven, ACME, 7);

    assertThat(seven.take(ACME))
        .hasValueSatisfying(e -> assertThat(e.retryAfterSeconds()).isEqualTo(515));
  }

  @Test
  void forgettingFullBucketsBoundsMemoryButKeepsTenantsThatUsedTheirs() {
    ImportLimits small =
        new ImportLimits(new ModelsProperties(30, 5, 500, false), HUB_TIMEOUT, clock, 3);
    UUID b = UUID.randomUUID();
    UUID c = UUID.randomUUID();
    allowedNow(small, ACME, 30);
    small.take(b);
    small.take(c);

    // b and c are full again after 120 s; ACME still misses 29 imports.
    clock.advance(Duration.ofMinutes(10));
    small.take(GLOBEX);

    assertThat(small.tracked()).isLessThanOrEqualTo(3);
    assertThat(allowedNow(small, ACME, 30)).isEqualTo(5);
  }

  @Test
  void aFullLibraryIsAQuotaAndTooManyImportsAtOnceARetry() {
    assertThat(limits.forImport(new ImportLimits.Library(499, 4))).isEmpty();

    assertThat(limits.forImport(new ImportLimits.Library(500, 0)))
        .hasValueSatisfying(
            e -> {
              assertThat(e.error().status()).isEqualTo(422);
              assertThat(e.error().code()).isEqualTo("quota_exceeded");
              assertThat(e.error().param()).isNull();
              assertThat(e.error().message()).contains("500 models");
              assertThat(e.retryAfterSeconds()).isNegative();
            });
    assertThat(limits.forImport(new ImportLimits.Library(10, 5)))
        .hasValueSatisfying(
            e -> {
              assertThat(e.error().status()).isEqualTo(429);
              assertThat(e.error().code()).isEqualTo("rate_limit_exceeded");
              assertThat(e.error().message()).contains("5 imports");
              assertThat(e.retryAfterSeconds()).isEqualTo(5);
            });
  }

  @Test
  void anInlineImportIsRefusedOnlyForAFullLibrary() {
    // An inline import is stored with its outcome at once: it never sits in 'importing'.
    assertThat(limits.forInlineImport(new ImportLimits.Library(499, 100))).isEmpty();

    assertThat(limits.forInlineImport(new ImportLimits.Library(500, 0)))
        .hasValueSatisfying(
            e -> {
              assertThat(e.error().status()).isEqualTo(422);
              assertThat(e.error().code()).isEqualTo("quota_exceeded");
              assertThat(e.error().param()).isEqualTo("model");
            });
  }
}
