package io.zeroscale.billing.ledger;

import io.zeroscale.gateway.hardware.HardwareCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Projects lifecycle events and heartbeats into the ledger: one row per instance that held GPUs, as
 * {@link LedgerRules} says, written only when it changes. Idempotent: running it twice, or on many
 * gateways at once, converges to the same rows.
 */
public final class LedgerProjection {

  private static final Logger log = LoggerFactory.getLogger(LedgerProjection.class);

  /** A reservation whose instance never showed up in the ledger lapses after this. */
  static final Duration RESERVATION_TTL = Duration.ofHours(1);

  private final LedgerStore store;
  private final HardwareCatalog catalog;
  private final Clock clock;
  private final Duration heartbeatTimeout;

  public LedgerProjection(
      LedgerStore store, HardwareCatalog catalog, Clock clock, Duration heartbeatTimeout) {
    this.store = store;
    this.catalog = catalog;
    this.clock = clock;
    this.heartbeatTimeout = heartbeatTimeout;
  }

  /** One projection pass: events and heartbeats into ledger rows. Answers the rows written. */
  public Mono<Long> project() {
    Instant now = clock.instant();
    return store
        .pending()
        .concatMap(p -> write(p, now))
        .reduce(0L, Long::sum)
        .flatMap(n -> store.releaseSettled(now.minus(RESERVATION_TTL)).thenReturn(n));
  }

  private Mono<Long> write(LedgerStore.Pending p, Instant now) {
    OptionalLong price = price(p.facts().gpu());
    var row = LedgerRules.project(p.facts(), price, now, heartbeatTimeout);
    if (row.isEmpty()) {
      if (p.facts().capturedPrice().isEmpty() && price.isEmpty()) {
        log.warn(
            "Instance {} runs on GPU type {} which the catalog does not price; not billed until it"
                + " does",
            p.facts().instanceId(),
            p.facts().gpu());
      }
      return Mono.just(0L);
    }
    LedgerRules.Row r = row.get();
    boolean same =
        p.facts().capturedPrice().isPresent()
            && Objects.equals(r.endedAt(), p.endedAt())
            && Objects.equals(r.endSource(), p.endSource());
    return same ? Mono.just(0L) : store.upsert(r, now);
  }

  private OptionalLong price(String gpu) {
    return catalog
        .find(gpu)
        .map(g -> OptionalLong.of(g.microsPerGpuHour()))
        .orElse(OptionalLong.empty());
  }
}
