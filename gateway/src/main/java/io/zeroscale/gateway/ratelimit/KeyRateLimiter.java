package io.zeroscale.gateway.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zeroscale.gateway.auth.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Decides whether a key's request may go through now: at most {@code requests_per_minute} requests
 * a minute and {@code max_concurrent_requests} in flight, counted across every gateway in Redis
 * ({@link RateStore}). The limits are the key's, else its tenant's (both resolved into the {@link
 * Principal} by the key store), else the configured defaults.
 *
 * <p>Cost: a key with no limit anywhere, and the bootstrap admin key, never reach Redis. With both
 * limits the bucket and the slot are asked in parallel, so a warm check costs the slower of the two
 * (two round trips, ~0.3 ms locally). A key refused for requests per minute is refused from memory
 * until its {@code Retry-After} has passed: no other gateway can put tokens back early, so Redis
 * has nothing new to say, and a client hammering at its limit costs no Redis traffic.
 *
 * <p>Every request that reaches the limiter counts towards requests per minute, including one
 * refused for concurrency (OpenAI counts unsuccessful requests too): retrying in a tight loop must
 * not be free.
 *
 * <p>Failure policy (a written decision per dependency): rate limiting fails open. A Redis error or
 * an answer slower than {@code redis-timeout} lets the request through unchecked, counts {@code
 * zeroscale.failopen{dependency=redis,path=ratelimit}} and logs a warning at most every 30 s; for
 * {@code fail-open-for} afterwards requests skip Redis altogether, so that an outage does not add
 * the timeout to every request. Logs name key ids, never secrets.
 *
 * <p>Named {@code KeyRateLimiter}, not {@code RateLimiter}, so that it is not taken for Spring
 * Cloud Gateway's {@code RateLimiter} SPI, which it does not implement.
 */
public final class KeyRateLimiter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KeyRateLimiter.class);

  /**
   * A request refused for concurrency is told to retry after 1 s: when a slot frees is unknown, and
   * inference requests last seconds, so a shorter hint only makes clients spin.
   */
  static final Duration CONCURRENCY_RETRY_AFTER = Duration.ofSeconds(1);

  /** At most one fail-open warning per this long; the others are counted into the next one. */
  static final Duration WARN_EVERY = Duration.ofSeconds(30);

  /** Bounds the refusal memory: 100k entries ≈ 10 MB, then start over. */
  static final int MAX_REMEMBERED = 100_000;

  private static final RateDecision.Allowed UNLIMITED = RateDecision.Allowed.unlimited();
  private static final RateStore.Consumption NOT_COUNTED =
      new RateStore.Consumption.Consumed(RateDecision.UNLIMITED, Duration.ZERO);

  private final RateStore store;
  private final RateLimitProperties properties;
  private final Principal.Limits defaults;
  private final Clock clock;
  private final Counter limitedRequests;
  private final Counter limitedConcurrency;
  private final Counter failOpen;

  /** Slot ids are this gateway's id plus a sequence, unique across gateways and restarts. */
  private final String slotPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong()) + ":";

  private final AtomicLong slotSequence = new AtomicLong();

  /** This gateway's slots still in flight (slot id → key id), renewed every third of a lease. */
  private final ConcurrentMap<String, UUID> inFlight = new ConcurrentHashMap<>();

  /** Keys refused for requests per minute, until when. */
  private final ConcurrentMap<UUID, Refused> refused = new ConcurrentHashMap<>();

  private volatile Instant skipRedisUntil = Instant.MIN;
  private final AtomicReference<Instant> lastWarning = new AtomicReference<>();
  private final AtomicLong unwarned = new AtomicLong();
  private volatile Disposable renewal;

  private record Refused(int perMinute, Instant until, Instant resetAt) {}

  public KeyRateLimiter(
      RateStore store, RateLimitProperties properties, Clock clock, MeterRegistry meters) {
    this.store = store;
    this.properties = properties;
    this.defaults = properties.defaultLimits();
    this.clock = clock;
    this.limitedRequests = limited(meters, "requests");
    this.limitedConcurrency = limited(meters, "concurrency");
    this.failOpen =
        Counter.builder("zeroscale.failopen")
            .description("Checks skipped (let through) because a dependency did not answer")
            .tag("dependency", "redis")
            .tag("path", "ratelimit")
            .register(meters);
  }

  private static Counter limited(MeterRegistry meters, String kind) {
    return Counter.builder("zeroscale.ratelimit.limited")
        .description("Requests refused with 429 by a per-key rate limit")
        .tag("kind", kind)
        .register(meters);
  }

  /** Never errors: a Redis failure answers {@link RateDecision.Allowed} (fail open). */
  public Mono<RateDecision> acquire(Principal principal) {
    if (!properties.enabled() || principal.keyId() == null) {
      return Mono.just(UNLIMITED);
    }
    Principal.Limits limits = principal.limits().orElse(defaults);
    Integer perMinute = limits.requestsPerMinute();
    Integer max = limits.maxConcurrentRequests();
    if (perMinute == null && max == null) {
      return Mono.just(UNLIMITED);
    }
    UUID keyId = principal.keyId();
    Instant now = clock.instant();
    if (now.isBefore(skipRedisUntil)) {
      failOpen.increment();
      unwarned.incrementAndGet();
      return Mono.just(UNLIMITED);
    }
    if (perMinute != null) {
      RateDecision remembered = stillRefused(keyId, perMinute, now);
      if (remembered != null) {
        return Mono.just(remembered);
      }
    }
    String slot = max == null ? null : slotPrefix + slotSequence.incrementAndGet();
    Mono<RateStore.Consumption> tokens =
        perMinute == null
            ? Mono.just(NOT_COUNTED)
            : Mono.defer(() -> store.consume(keyId, perMinute));
    Mono<Boolean> slots =
        max == null
            ? Mono.just(true)
            : Mono.defer(() -> store.acquire(keyId, max, slot, now, properties.lease()));
    return Mono.zip(tokens, slots)
        .timeout(properties.redisTimeout())
        .map(t -> decide(keyId, perMinute, max, slot, t.getT1(), t.getT2()))
        .onErrorResume(
            e -> {
              if (slot != null) {
                // The script may have run even if its answer came too late.
                releaseQuietly(keyId, slot);
              }
              return Mono.just(failedOpen(e));
            });
  }

  private RateDecision stillRefused(UUID keyId, int perMinute, Instant now) {
    Refused r = refused.get(keyId);
    if (r == null) {
      return null;
    }
    if (r.perMinute() == perMinute && now.isBefore(r.until())) {
      limitedRequests.increment();
      return requestsLimited(
          perMinute, Duration.between(now, r.until()), Duration.between(now, r.resetAt()));
    }
    refused.remove(keyId, r);
    return null;
  }

  private RateDecision decide(
      UUID keyId,
      Integer perMinute,
      Integer max,
      String slot,
      RateStore.Consumption tokens,
      boolean slotTaken) {
    if (tokens instanceof RateStore.Consumption.Rejected r) {
      if (slot != null && slotTaken) {
        releaseQuietly(keyId, slot);
      }
      Instant now = clock.instant();
      if (refused.size() >= MAX_REMEMBERED) {
        refused.clear();
      }
      refused.put(keyId, new Refused(perMinute, now.plus(r.retryAfter()), now.plus(r.resetIn())));
      limitedRequests.increment();
      return requestsLimited(perMinute, r.retryAfter(), r.resetIn());
    }
    RateStore.Consumption.Consumed c = (RateStore.Consumption.Consumed) tokens;
    long limit = perMinute == null ? RateDecision.UNLIMITED : perMinute;
    if (!slotTaken) {
      limitedConcurrency.increment();
      return new RateDecision.Limited(
          "Too many concurrent requests for this API key: at most "
              + max
              + " at once. Retry when one of them has finished.",
          limit,
          c.remaining(),
          c.resetIn(),
          CONCURRENCY_RETRY_AFTER);
    }
    Runnable release = () -> {};
    if (slot != null) {
      inFlight.put(slot, keyId);
      release = releaser(keyId, slot);
    }
    return new RateDecision.Allowed(limit, c.remaining(), c.resetIn(), release);
  }

  private static RateDecision.Limited requestsLimited(
      int perMinute, Duration retryAfter, Duration resetIn) {
    return new RateDecision.Limited(
        "Rate limit reached for requests per minute (RPM) on this API key: limit "
            + perMinute
            + ". Please try again in "
            + RateLimitHeaders.duration(retryAfter)
            + ".",
        perMinute,
        0,
        resetIn,
        retryAfter);
  }

  private Runnable releaser(UUID keyId, String slot) {
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        inFlight.remove(slot);
        releaseQuietly(keyId, slot);
      }
    };
  }

  /** Frees a slot without waiting; if that fails the slot's lease ends it (it is not renewed). */
  private void releaseQuietly(UUID keyId, String slot) {
    Mono.defer(() -> store.release(keyId, slot))
        .timeout(properties.redisTimeout())
        .subscribe(
            v -> {},
            e -> log.debug("Could not free a concurrency slot of key {}: {}", keyId, brief(e)));
  }

  private RateDecision failedOpen(Throwable e) {
    Instant now = clock.instant();
    skipRedisUntil = now.plus(properties.failOpenFor());
    failOpen.increment();
    Instant last = lastWarning.get();
    if ((last == null || !now.isBefore(last.plus(WARN_EVERY)))
        && lastWarning.compareAndSet(last, now)) {
      log.warn(
          "Rate limits not checked: Redis did not answer ({}). Requests go through unchecked for"
              + " the next {} ({} more since the last warning).",
          brief(e),
          RateLimitHeaders.duration(properties.failOpenFor()),
          unwarned.getAndSet(0));
    } else {
      unwarned.incrementAndGet();
    }
    return UNLIMITED;
  }

  /**
   * The failure in one line of at most 200 characters: Redisson's messages carry the whole command
   * (Lua text included), which would bury the point. They name key ids at most, never secrets.
   */
  static String brief(Throwable e) {
    String text = e.toString().replaceAll("\\s+", " ");
    return text.length() <= 200 ? text : text.substring(0, 197) + "...";
  }

  /** Starts renewing this gateway's slots, every third of a lease; warms the Redis path up. */
  public void start() {
    if (!properties.enabled()) {
      return;
    }
    Duration every = properties.lease().dividedBy(3);
    renewal =
        Flux.interval(every, every)
            .onBackpressureDrop()
            .concatMap(tick -> renewLeases())
            .subscribe(v -> {}, e -> log.warn("Slot renewal stopped: {}", brief(e)));
    warmUp();
  }

  /**
   * One check of each kind on a key no API key has (the zero UUID), so that the first real request
   * does not pay bucket4j's class loading and Redis's script compilation, which on a cold JVM can
   * exceed {@code redis-timeout} and make the first requests fail open.
   */
  private void warmUp() {
    UUID nobody = new UUID(0, 0);
    String slot = slotPrefix + "warm-up";
    Mono.defer(() -> store.consume(nobody, RateLimitProperties.MAX_LIMIT))
        .then(Mono.defer(() -> store.acquire(nobody, 1, slot, clock.instant(), properties.lease())))
        .then(Mono.defer(() -> store.release(nobody, slot)))
        .subscribe(v -> {}, e -> log.debug("Rate-limit warm-up failed: {}", brief(e)));
  }

  /** Extends the lease of every slot still in flight here; errors are logged, never raised. */
  Mono<Void> renewLeases() {
    if (inFlight.isEmpty()) {
      return Mono.empty();
    }
    Map<UUID, List<String>> byKey = new HashMap<>();
    inFlight.forEach((slot, key) -> byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(slot));
    Instant now = clock.instant();
    return Flux.fromIterable(byKey.entrySet())
        .flatMap(
            e ->
                Mono.defer(() -> store.renew(e.getKey(), e.getValue(), now, properties.lease()))
                    .timeout(properties.redisTimeout())
                    .onErrorResume(
                        err -> {
                          log.debug(
                              "Could not renew the slots of key {}: {}", e.getKey(), brief(err));
                          return Mono.empty();
                        }),
            8)
        .then();
  }

  /** Slots in flight on this gateway (for tests and diagnostics). */
  int slotsInFlight() {
    return inFlight.size();
  }

  @Override
  public void close() {
    Disposable r = renewal;
    if (r != null) {
      r.dispose();
    }
  }
}
