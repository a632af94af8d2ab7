package io.zeroscale.gateway.ratelimit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.redisson.Bucket4jRedisson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.redisson.Redisson;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.StringCodec;
import reactor.core.publisher.Mono;

/**
 * {@link RateStore} on Redis, shared by every gateway.
 *
 * <p><b>Requests per minute</b>: a bucket4j bucket per key (bucket4j-redisson, compare-and-swap: a
 * GET, then a Lua compare-and-set, two round trips, ~0.3 ms on a local Redis). Capacity {@code n},
 * refilled greedily by {@code n} per minute: 60/min gives one request back every second, 5/min one
 * every 12 s, and a client may burst the whole {@code n} at once after a quiet minute. Each local
 * bucket proxy has bucket4j's batching optimization: requests for the same key that arrive while a
 * round trip is under way share the next one instead of racing on the compare-and-set. The limit is
 * part of the Redis key, so a changed limit starts a fresh bucket instead of needing a
 * configuration migration; the old key expires. Keys expire 10 s after their bucket would be full
 * again, so Redis holds only keys used recently.
 *
 * <p><b>Concurrency</b>: a sorted set per key of slot id → lease expiry (epoch ms), changed by one
 * Lua script per acquisition (one round trip). We chose this over Redisson's {@code
 * RPermitExpirableSemaphore}: the semaphore stores its permit count in Redis, so a changed limit
 * needs a coordinated {@code setPermits} and two gateways with different cached limits would fight
 * over it, whereas the script takes the limit as an argument on every call. A gateway that dies
 * leaves slots that lapse with their lease; a live gateway renews its own.
 *
 * <p>Times come from the injected clock, not from Redis, so tests can move time; gateways' clocks
 * are assumed NTP-synchronized (skew of milliseconds against leases of seconds).
 */
public final class RedisRateStore implements RateStore {

  private static final String PREFIX = "zs:ratelimit:";

  /** Bounds memory under many keys: 100k proxies × ~200 B ≈ 20 MB, then start over. */
  static final int MAX_BUCKETS = 100_000;

  /** How long a full bucket's Redis key is kept: a key idle that long is recreated full anyway. */
  private static final Duration KEEP_FULL_BUCKET = Duration.ofSeconds(10);

  /**
   * KEYS[1] the key's slots (sorted set: slot id → lease expiry, epoch ms). ARGV: [1] max, [2] slot
   * id, [3] now, [4] new slot's expiry, [5] the set's own expiry in ms. Answers 1 taken, 0 full.
   */
  static final String ACQUIRE =
      """
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
      if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
        return 0
      end
      redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
      redis.call('PEXPIRE', KEYS[1], ARGV[5])
      return 1
      """;

  /**
   * KEYS[1] the key's slots. ARGV: [1] new expiry, [2] the set's own expiry in ms, [3..] slot ids.
   * XX: a slot already released is not brought back.
   */
  static final String RENEW =
      """
      for i = 3, #ARGV do
        redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[i])
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return 0
      """;

  private final AsyncProxyManager<String> buckets;
  private final RedissonReactiveClient redis;
  private final ConcurrentMap<String, AsyncBucketProxy> proxies = new ConcurrentHashMap<>();

  RedisRateStore(AsyncProxyManager<String> buckets, RedissonReactiveClient redis) {
    this.buckets = buckets;
    this.redis = redis;
  }

  /** On the application's Redisson client (bucket4j needs its command executor). */
  public static RedisRateStore create(RedissonClient redisson, Clock clock) {
    if (!(redisson instanceof Redisson r)) {
      throw new IllegalArgumentException(
          "bucket4j needs a org.redisson.Redisson client, got " + redisson.getClass().getName());
    }
    AsyncProxyManager<String> buckets =
        Bucket4jRedisson.casBasedBuilder(r.getCommandExecutor())
            .clientClock(timeMeter(clock))
            .expirationAfterWrite(
                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_FULL_BUCKET))
            .build()
            .asAsync();
    return new RedisRateStore(buckets, redisson.reactive());
  }

  static String bucketKey(UUID keyId, int perMinute) {
    return PREFIX + "rpm:" + keyId + ":" + perMinute;
  }

  static String slotsKey(UUID keyId) {
    return PREFIX + "inflight:" + keyId;
  }

  @Override
  public Mono<Consumption> consume(UUID keyId, int perMinute) {
    AsyncBucketProxy bucket = bucket(bucketKey(keyId, perMinute), perMinute);
    // suppressCancel: a timed-out wait must not cancel a future a batch of requests shares. The
    // failure is carried as a value through the future: a failure arriving after the wait was
    // given up on would otherwise be reported by Reactor as a dropped error, once per request.
    return Mono.fromFuture(() -> bucket.tryConsumeAndReturnRemaining(1).handle(Answer::new), true)
        .flatMap(
            a ->
                a.error() == null
                    ? Mono.just(consumption(a.probe()))
                    : Mono.error(
                        a.error() instanceof CompletionException c && c.getCause() != null
                            ? c.getCause()
                            : a.error()));
  }

  private record Answer(ConsumptionProbe probe, Throwable error) {}

  private AsyncBucketProxy bucket(String key, int perMinute) {
    AsyncBucketProxy bucket = proxies.get(key);
    if (bucket != null) {
      return bucket;
    }
    if (proxies.size() >= MAX_BUCKETS) {
      proxies.clear();
    }
    // One proxy per key, reused: the batching optimization only works across calls on one proxy.
    return proxies.computeIfAbsent(
        key,
        k ->
            buckets
                .builder()
                .withOptimization(Optimizations.batching())
                .build(k, () -> CompletableFuture.completedFuture(configuration(perMinute))));
  }

  static BucketConfiguration configuration(int perMinute) {
    return BucketConfiguration.builder()
        .addLimit(limit -> limit.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
        .build();
  }

  private static Consumption consumption(ConsumptionProbe probe) {
    Duration reset = Duration.ofNanos(probe.getNanosToWaitForReset());
    if (probe.isConsumed()) {
      return new Consumption.Consumed(probe.getRemainingTokens(), reset);
    }
    return new Consumption.Rejected(Duration.ofNanos(probe.getNanosToWaitForRefill()), reset);
  }

  @Override
  public Mono<Boolean> acquire(UUID keyId, int max, String permit, Instant now, Duration lease) {
    long nowMs = now.toEpochMilli();
    return redis
        .getScript(StringCodec.INSTANCE)
        .<Long>eval(
            RScript.Mode.READ_WRITE,
            ACQUIRE,
            RScript.ReturnType.LONG,
            List.<Object>of(slotsKey(keyId)),
            Integer.toString(max),
            permit,
            Long.toString(nowMs),
            Long.toString(nowMs + lease.toMillis()),
            Long.toString(setTtlMillis(lease)))
        .map(taken -> taken == 1L);
  }

  @Override
  public Mono<Void> release(UUID keyId, String permit) {
    return redis
        .<String>getScoredSortedSet(slotsKey(keyId), StringCodec.INSTANCE)
        .remove(permit)
        .then();
  }

  @Override
  public Mono<Void> renew(UUID keyId, Collection<String> permits, Instant now, Duration lease) {
    if (permits.isEmpty()) {
      return Mono.empty();
    }
    List<Object> args = new ArrayList<>(permits.size() + 2);
    args.add(Long.toString(now.toEpochMilli() + lease.toMillis()));
    args.add(Long.toString(setTtlMillis(lease)));
    args.addAll(permits);
    return redis
        .getScript(StringCodec.INSTANCE)
        .<Long>eval(
            RScript.Mode.READ_WRITE,
            RENEW,
            RScript.ReturnType.LONG,
            List.<Object>of(slotsKey(keyId)),
            args.toArray())
        .then();
  }

  /**
   * The slot set outlives its newest lease by a second lease: the expiry is relative to Redis's
   * clock while slot leases follow the gateways' clocks, and a gateway whose clock runs ahead must
   * not see the set vanish before its slots end. 30 s leases → the set lives 60 s past a write.
   */
  private static long setTtlMillis(Duration lease) {
    return lease.toMillis() * 2;
  }

  /** bucket4j's clock, read from ours (epoch nanoseconds, as its wall-clock meters are). */
  static TimeMeter timeMeter(Clock clock) {
    return new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
      }

      @Override
      public boolean isWallClockBased() {
        return true;
      }
    };
  }
}
