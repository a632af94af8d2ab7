package io.zeroscale.gateway.observe;

import io.zeroscale.api.RedisSchema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatchReactive;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tenant metrics' per-deployment time series ({@code GET /api/v1/deployments/{id}/metrics}).
 *
 * <p>Recording is in memory: {@link #record} adds a finished request to its deployment's current
 * minute (a map lookup and a few adds under the minute's own lock, no I/O). A background loop
 * flushes every {@code flushInterval}: each minute's figures so far go to {@code
 * zs:series:<deployment>:<minute>} under this gateway's field (HSET overwrites with the running
 * total, so a flush that fails is repaired by the next), with {@value
 * RedisSchema#SERIES_RETENTION_DAYS} days' expiry; it also samples queue depth and instance counts
 * ({@link Gauges}) of every deployment the activator runs. Minutes older than the previous one are
 * dropped from memory once written. Readers sum the gateways' fields: counts add up, gauges keep
 * the highest.
 *
 * <p>Keys carry only the deployment id; who may read them is decided by the deployment lookup
 * (tenant, then id) before any key is read.
 */
public final class DeploymentSeries implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeploymentSeries.class);

  /** At most this many points in one answer. */
  public static final int MAX_POINTS = 1440;

  /** Minute keys read per Redis batch (one round trip). */
  public static final int BATCH_KEYS = 512;

  /** At most this many minutes in one read: the retention, and one for a range cut mid-minute. */
  static final long MAX_READ_MINUTES = RedisSchema.SERIES_RETENTION_DAYS * 1440L + 1;

  /** Samples every deployment's queue depth and instance counts, by deployment id. */
  public interface Gauges {
    Mono<Map<String, long[]>> sample();
  }

  /** A minute that could not be written for this long is dropped from memory. */
  static final int KEPT_UNWRITTEN_MINUTES = 10;

  private record Key(String deploymentId, long minute) {}

  /** One deployment-minute being counted. */
  private static final class Cell {
    final MinuteSeries series = new MinuteSeries();
    long version;
    long written = -1;
  }

  private final RedissonReactiveClient redis;
  private final JsonMapper json;
  private final Clock clock;
  private final Duration flushInterval;
  private final Gauges gauges;
  private final String gatewayField = UUID.randomUUID().toString();
  private final ConcurrentMap<Key, Cell> cells = new ConcurrentHashMap<>();
  private final int batchKeys;
  private volatile Disposable loop;

  public DeploymentSeries(
      RedissonReactiveClient redis,
      JsonMapper json,
      Clock clock,
      Duration flushInterval,
      Gauges gauges) {
    this(redis, json, clock, flushInterval, gauges, BATCH_KEYS);
  }

  DeploymentSeries(
      RedissonReactiveClient redis,
      JsonMapper json,
      Clock clock,
      Duration flushInterval,
      Gauges gauges,
      int batchKeys) {
    this.batchKeys = batchKeys;
    this.redis = redis;
    this.json = json;
    this.clock = clock;
    this.flushInterval = flushInterval;
    this.gauges = gauges;
  }

  /** Adds one finished request of a deployment to the current minute. */
  public void record(
      String deploymentId,
      int status,
      long durationNanos,
      OptionalLong ttftNanos,
      Optional<Usage> usage) {
    Cell c = cells.computeIfAbsent(new Key(deploymentId, minute(clock.millis())), k -> new Cell());
    synchronized (c) {
      MinuteSeries s = c.series;
      s.requests[MinuteSeries.classIndex(status)]++;
      s.latency[LatencyBuckets.index(durationNanos)]++;
      if (ttftNanos.isPresent()) {
        s.ttft[LatencyBuckets.index(ttftNanos.getAsLong())]++;
      }
      if (usage.isPresent()) {
        s.tokensIn += usage.get().promptTokens();
        s.tokensOut += usage.get().completionTokens();
      }
      c.version++;
    }
  }

  /** A copy of what is counted in memory for a deployment's minute (for tests). */
  MinuteSeries counted(String deploymentId, long minute) {
    MinuteSeries copy = new MinuteSeries();
    Cell c = cells.get(new Key(deploymentId, minute));
    if (c != null) {
      synchronized (c) {
        copy.add(c.series);
      }
    }
    return copy;
  }

  static long minute(long epochMillis) {
    return Math.floorDiv(epochMillis, 60_000L);
  }

  /** Starts the flush loop. */
  public void start() {
    loop =
        Flux.interval(flushInterval, flushInterval)
            .onBackpressureDrop()
            .concatMap(tick -> flush().onErrorResume(e -> quiet(e)), 1)
            .subscribe();
  }

  private Mono<Void> quiet(Throwable e) {
    log.debug("Tenant series flush failed; the next one retries: {}", e.toString());
    return Mono.empty();
  }

  @Override
  public void close() {
    Disposable d = loop;
    if (d != null) {
      d.dispose();
    }
    try {
      flush().block(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      // Redis gone before this gateway (it must outlive it) or unreachable: say what is lost.
      log.warn(
          "The last series flush failed at shutdown; this gateway's figures since the previous"
              + " flush are lost: {}",
          e.toString());
    }
  }

  /** Samples the gauges into the current minute, then writes every changed minute. */
  public Mono<Void> flush() {
    long now = minute(clock.millis());
    return gauges
        .sample()
        .onErrorReturn(Map.of())
        .flatMap(
            sampled -> {
              sampled.forEach(
                  (id, g) -> {
                    Cell c = cells.computeIfAbsent(new Key(id, now), k -> new Cell());
                    synchronized (c) {
                      c.series.queued = MinuteSeries.max(c.series.queued, g[0]);
                      c.series.desired = MinuteSeries.max(c.series.desired, g[1]);
                      c.series.ready = MinuteSeries.max(c.series.ready, g[2]);
                      c.version++;
                    }
                  });
              return write(now);
            });
  }

  private Mono<Void> write(long now) {
    List<Mono<Void>> writes = new ArrayList<>();
    Duration ttl = Duration.ofDays(RedisSchema.SERIES_RETENTION_DAYS);
    for (Map.Entry<Key, Cell> e : cells.entrySet()) {
      Key k = e.getKey();
      Cell c = e.getValue();
      String text;
      long version;
      if (k.minute() < now - KEPT_UNWRITTEN_MINUTES) {
        // Redis has been unreachable for that long: drop it rather than grow without bound
        cells.remove(k, c);
        continue;
      }
      synchronized (c) {
        version = c.version;
        if (version == c.written) {
          if (k.minute() < now - 1) {
            cells.remove(k, c);
          }
          continue;
        }
        text = c.series.write(json);
      }
      var map =
          redis.<String, String>getMap(
              RedisSchema.series(k.deploymentId(), k.minute()), StringCodec.INSTANCE);
      writes.add(
          map.fastPut(gatewayField, text)
              .then(map.expire(ttl))
              .doOnSuccess(
                  ok -> {
                    synchronized (c) {
                      c.written = Math.max(c.written, version);
                    }
                  })
              .then());
    }
    return Flux.fromIterable(writes).flatMap(w -> w, 16).then();
  }

  /**
   * The series of a deployment: {@code points} points of {@code stepMinutes} minutes from {@code
   * fromMinute}, each the sum of the gateways' figures over its minutes (gauges: the highest).
   */
  public Mono<List<MinuteSeries>> read(
      String deploymentId, long fromMinute, int stepMinutes, int points) {
    return readRange(
        deploymentId, fromMinute, fromMinute + (long) stepMinutes * points, stepMinutes);
  }

  /**
   * The series of a deployment over the minutes {@code [fromMinute, toMinute)}: points of {@code
   * stepMinutes} minutes from {@code fromMinute}, the last one stopping at {@code toMinute}, each
   * the sum of the gateways' figures over its minutes (gauges: the highest). No minute outside the
   * range is read; the keys are read {@value #BATCH_KEYS} to a Redis batch (one round trip each),
   * one batch after the other, and summed as they come, so a 7-day answer holds at most one batch
   * of minutes and its {@value #MAX_POINTS} points.
   *
   * @throws IllegalArgumentException for an empty range, more than {@value
   *     RedisSchema#SERIES_RETENTION_DAYS} days or more than {@value #MAX_POINTS} points (the API
   *     refuses those before)
   */
  public Mono<List<MinuteSeries>> readRange(
      String deploymentId, long fromMinute, long toMinute, int stepMinutes) {
    long minutes = toMinute - fromMinute;
    if (stepMinutes < 1 || minutes < 1 || minutes > MAX_READ_MINUTES) {
      throw new IllegalArgumentException(
          "Cannot read " + minutes + " minutes by " + stepMinutes + " minutes");
    }
    long points = (minutes + stepMinutes - 1) / stepMinutes;
    if (points > MAX_POINTS) {
      throw new IllegalArgumentException("Cannot read " + points + " points");
    }
    return Mono.defer(
        () -> {
          List<MinuteSeries> out = new ArrayList<>((int) points);
          for (int p = 0; p < points; p++) {
            out.add(new MinuteSeries());
          }
          return Flux.fromIterable(batches(fromMinute, toMinute, batchKeys))
              .concatMap(
                  b ->
                      readBatch(deploymentId, b[0], b[1])
                          .doOnNext(
                              maps -> {
                                for (int i = 0; i < maps.size(); i++) {
                                  long minute = b[0] + i;
                                  MinuteSeries sum =
                                      out.get((int) ((minute - fromMinute) / stepMinutes));
                                  for (String text : maps.get(i).values()) {
                                    sum.add(readQuietly(text));
                                  }
                                }
                              }))
              .then(Mono.fromSupplier(() -> out));
        });
  }

  /** The minutes {@code [from, to)} cut into {@code [start, end)} runs of at most {@code size}. */
  public static List<long[]> batches(long from, long to, int size) {
    List<long[]> out = new ArrayList<>();
    for (long start = from; start < to; start += size) {
      out.add(new long[] {start, Math.min(to, start + size)});
    }
    return out;
  }

  /** One Redis batch (one round trip): each minute's fields, in minute order. */
  private Mono<List<Map<String, String>>> readBatch(String deploymentId, long from, long to) {
    RBatchReactive batch = redis.createBatch(BatchOptions.defaults());
    List<Mono<Map<String, String>>> reads = new ArrayList<>();
    for (long m = from; m < to; m++) {
      reads.add(
          batch
              .<String, String>getMap(RedisSchema.series(deploymentId, m), StringCodec.INSTANCE)
              .readAllMap());
    }
    return batch.execute().then(Flux.concat(reads).collectList());
  }

  private MinuteSeries readQuietly(String text) {
    try {
      return MinuteSeries.read(json, text);
    } catch (RuntimeException e) {
      return new MinuteSeries();
    }
  }

  /** For tests and the API: the minute an instant falls in. */
  public static long minuteOf(Instant t) {
    return minute(t.toEpochMilli());
  }

  /** Gauges that sample nothing. */
  public static Gauges noGauges() {
    return () -> Mono.just(new HashMap<>());
  }

  /** Gauges from a function of the deployments to sample. */
  public static Gauges gauges(
      Mono<List<String>> ids, Function<List<String>, Mono<Map<String, long[]>>> sample) {
    return () -> ids.flatMap(sample);
  }
}
