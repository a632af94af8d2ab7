package io.zeroscale.gateway.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.Family;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Per-request metrics of the data plane, all with the same four low-cardinality tags:
 *
 * <ul>
 *   <li>{@code deployment}: the resolved deployment's full name {@code <tenant>/<model_name>}, or
 *       {@value #UNRESOLVED} when the request never reached one (unknown model, bad body). Never
 *       the client's raw {@code model} string: that is unbounded input, and one series per typo
 *       would exhaust the metrics backend;
 *   <li>{@code family}: {@code llm}, {@code embedding}, ... ({@value #UNRESOLVED} when unknown);
 *   <li>{@code status}: the class, {@code 2xx} to {@code 5xx};
 *   <li>{@code stream}: {@code true} or {@code false}.
 * </ul>
 *
 * <p>Never a key id, a tenant's secret, a prompt or a request id. With 100 deployments the worst
 * case is 100 × 5 status classes × 2 = 1000 series per meter, in practice far fewer (a deployment
 * has one family, and most requests are 2xx).
 *
 * <p>Meters: {@code zeroscale.requests} (counter), {@code zeroscale.request.duration} (timer, to
 * the last byte), {@code zeroscale.request.ttft} (timer, streams: to the first event), {@code
 * zeroscale.tokens.prompt} and {@code zeroscale.tokens.completion} (counters: rates give tokens per
 * second; {@code tokens ÷ requests} gives tokens per request). Timers publish no histogram by
 * default (about 70 extra series each); operators enable one with {@code
 * management.metrics.distribution.percentiles-histogram.zeroscale.request=true}. The meters of a
 * tag combination are looked up once and cached: recording is then a map lookup and four atomic
 * adds. {@link #forget} drops a deleted deployment's meters.
 */
public final class Metering {

  /** The tag value for a deployment or family that was never resolved. */
  public static final String UNRESOLVED = "none";

  private final MeterRegistry registry;
  private final ConcurrentMap<Key, Meters> meters = new ConcurrentHashMap<>();

  /** The tenant metrics' per-deployment series, fed with every resolved request once set. */
  private volatile DeploymentSeries series;

  public Metering(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Also feeds every request of a resolved deployment to {@code series} (the tenant metrics). */
  public void feed(DeploymentSeries series) {
    this.series = series;
  }

  /**
   * Records one finished request of a resolved deployment: the meters of {@link #record(String,
   * Family, int, boolean, long, OptionalLong, Optional)}, and the deployment's tenant series.
   */
  public void record(
      DeploymentSpec spec,
      int status,
      boolean stream,
      long durationNanos,
      OptionalLong ttftNanos,
      Optional<Usage> usage) {
    record(spec.fullName(), spec.family(), status, stream, durationNanos, ttftNanos, usage);
    DeploymentSeries s = series;
    if (s != null) {
      s.record(spec.id(), status, durationNanos, ttftNanos, usage);
    }
  }

  /**
   * Records one finished request.
   *
   * @param deployment the resolved deployment's full name, or null when there was none
   * @param family the path's family, or null
   * @param status the HTTP status answered
   * @param stream whether the response was an event stream
   * @param durationNanos from the request's arrival to its last byte
   * @param ttftNanos for streams, from arrival to the first event
   * @param usage the tokens the engine reported
   */
  public void record(
      String deployment,
      Family family,
      int status,
      boolean stream,
      long durationNanos,
      OptionalLong ttftNanos,
      Optional<Usage> usage) {
    Key key =
        new Key(
            deployment == null || deployment.isEmpty() ? UNRESOLVED : deployment,
            family == null ? UNRESOLVED : family.wire(),
            statusClass(status),
            stream);
    Meters m = meters.computeIfAbsent(key, this::register);
    m.requests.increment();
    m.duration.record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
    if (ttftNanos.isPresent()) {
      m.ttft.get().record(Math.max(0, ttftNanos.getAsLong()), TimeUnit.NANOSECONDS);
    }
    if (usage.isPresent()) {
      m.promptTokens.get().increment(usage.get().promptTokens());
      m.completionTokens.get().increment(usage.get().completionTokens());
    }
  }

  /** Removes a deleted deployment's meters, so that its series stop being exported. */
  public void forget(String deployment) {
    meters
        .entrySet()
        .removeIf(
            e -> {
              if (!e.getKey().deployment().equals(deployment)) {
                return false;
              }
              e.getValue().removeFrom(registry);
              return true;
            });
  }

  /** {@code 200} → {@code 2xx}; anything outside 100-599 → {@code other}. */
  static String statusClass(int status) {
    return switch (status / 100) {
      case 1 -> "1xx";
      case 2 -> "2xx";
      case 3 -> "3xx";
      case 4 -> "4xx";
      case 5 -> "5xx";
      default -> "other";
    };
  }

  private Meters register(Key key) {
    Tags tags =
        Tags.of(
            "deployment",
            key.deployment(),
            "family",
            key.family(),
            "status",
            key.status(),
            "stream",
            Boolean.toString(key.stream()));
    return new Meters(registry, tags);
  }

  private record Key(String deployment, String family, String status, boolean stream) {}

  /** The meters: each one's name and description, and how one tag combination registers it. */
  public enum Metric {
    REQUESTS("zeroscale.requests", "Data-plane requests answered"),
    DURATION("zeroscale.request.duration", "Data-plane request duration, arrival to last byte"),
    TTFT("zeroscale.request.ttft", "Time to first event of data-plane streams"),
    PROMPT_TOKENS("zeroscale.tokens.prompt", "Prompt tokens reported by engines"),
    COMPLETION_TOKENS("zeroscale.tokens.completion", "Completion tokens reported by engines");

    private final String id;
    private final String description;

    Metric(String id, String description) {
      this.id = id;
      this.description = description;
    }

    /** The meter's name, e.g. {@code zeroscale.requests}. */
    public String id() {
      return id;
    }

    Counter counter(Tags tags, MeterRegistry registry) {
      return Counter.builder(id).description(description).tags(tags).register(registry);
    }

    Timer timer(Tags tags, MeterRegistry registry) {
      return Timer.builder(id).description(description).tags(tags).register(registry);
    }
  }

  /**
   * The meters of one tag combination. The TTFT timer and the token counters are registered on
   * first use, so that non-stream or error combinations export no empty series for them; two
   * threads racing to register get the same meter from the registry.
   */
  private static final class Meters {
    final Counter requests;
    final Timer duration;
    final Lazy<Timer> ttft;
    final Lazy<Counter> promptTokens;
    final Lazy<Counter> completionTokens;

    Meters(MeterRegistry registry, Tags tags) {
      requests = Metric.REQUESTS.counter(tags, registry);
      duration = Metric.DURATION.timer(tags, registry);
      ttft = new Lazy<>(() -> Metric.TTFT.timer(tags, registry));
      promptTokens = new Lazy<>(() -> Metric.PROMPT_TOKENS.counter(tags, registry));
      completionTokens = new Lazy<>(() -> Metric.COMPLETION_TOKENS.counter(tags, registry));
    }

    void removeFrom(MeterRegistry from) {
      from.remove(requests);
      from.remove(duration);
      ttft.removeFrom(from);
      promptTokens.removeFrom(from);
      completionTokens.removeFrom(from);
    }
  }

  /** A meter registered on its first use. */
  private static final class Lazy<M extends Meter> {
    private final Supplier<M> register;
    private volatile M meter;

    Lazy(Supplier<M> register) {
      this.register = register;
    }

    M get() {
      M m = meter;
      if (m == null) {
        m = register.get();
        meter = m;
      }
      return m;
    }

    void removeFrom(MeterRegistry from) {
      M m = meter;
      if (m != null) {
        from.remove(m);
      }
    }
  }
}
