package io.zeroscale.billing;

import io.zeroscale.billing.ledger.LedgerProjection;
import io.zeroscale.billing.limit.SpendLimits;
import io.zeroscale.gateway.lifecycle.BackgroundLoop;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Keeps the ledger up to date: every {@code interval}, lifecycle events and heartbeats become
 * ledger rows (instances whose heartbeats stopped are closed at the last one), then the spend
 * limits are re-evaluated. Every gateway runs it; every step is idempotent, so running it on many
 * at once only costs queries. A run that outlives its period is not overlapped by the next.
 */
public final class BillingProjector extends BackgroundLoop {

  private static final Logger log = LoggerFactory.getLogger(BillingProjector.class);

  private final LedgerProjection ledger;
  private final SpendLimits limits;
  private final Duration interval;
  private volatile long lastErrorLog;

  /** When the last run that projected and enforced everything ended (nanoTime), or the start. */
  private volatile long lastSuccessNanos = System.nanoTime();

  public BillingProjector(LedgerProjection ledger, SpendLimits limits, Duration interval) {
    this.ledger = ledger;
    this.limits = limits;
    this.interval = interval;
  }

  /** One run; never errors. */
  public Mono<Void> runOnce() {
    return ledger
        .project()
        .doOnNext(
            n -> {
              if (n > 0) {
                log.debug("Billing ledger: {} row(s) written", n);
              }
            })
        .then(limits.enforceLimits())
        .timeout(interval.multipliedBy(6))
        .doOnSuccess(v -> lastSuccessNanos = System.nanoTime())
        .onErrorResume(
            e -> {
              long now = System.currentTimeMillis();
              if (now - lastErrorLog > 30_000) {
                lastErrorLog = now;
                log.warn("Billing projection failed; retried next time: {}", e.toString());
              }
              return Mono.empty();
            });
  }

  /**
   * Seconds since the last successful run (or since start): the ledger is at most this plus one
   * {@code interval} behind the events. With a 10 s interval it hovers between 0 and 10; a value
   * that keeps growing means projection fails (PostgreSQL unreachable or too slow).
   */
  public double lagSeconds() {
    return (System.nanoTime() - lastSuccessNanos) / 1e9;
  }

  @Override
  protected Disposable run() {
    return Flux.interval(Duration.ofSeconds(1), interval, Schedulers.parallel())
        .onBackpressureDrop()
        .concatMap(t -> runOnce(), 1)
        .subscribe();
  }
}
