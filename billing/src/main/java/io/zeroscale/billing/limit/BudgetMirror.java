package io.zeroscale.billing.limit;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.redis.RedisEntries;
import io.zeroscale.billing.ledger.Charges;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.lifecycle.BackgroundLoop;
import io.zeroscale.gateway.routing.WakeUpGuard;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every gateway's in-memory copy of the tenants' budgets ({@link RedisSchema#BUDGETS}), refreshed
 * on {@link RedisSchema#BUDGET_CHANGED} and every {@code refresh}, so that the request path never
 * calls Redis or PostgreSQL for the spend limit. Fails open: without Redis, the last copy stays
 * (and the activator's reservation before each boot still holds the limit).
 */
public final class BudgetMirror extends BackgroundLoop implements WakeUpGuard {

  /** Told of each refused wake-up. */
  private volatile Runnable refused = () -> {};

  private static final Logger log = LoggerFactory.getLogger(BudgetMirror.class);

  private final RedissonClient redisson;
  private final JsonMapper json;
  private final HardwareCatalog catalog;
  private final Clock clock;
  private final Duration refresh;
  private volatile Map<String, Budget> budgets = Map.of();
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile int listener = -1;

  public BudgetMirror(
      RedissonClient redisson,
      JsonMapper json,
      HardwareCatalog catalog,
      Clock clock,
      Duration refresh) {
    this.redisson = redisson;
    this.json = json;
    this.catalog = catalog;
    this.clock = clock;
    this.refresh = refresh;
  }

  /** The tenant's budget for the current month, if it has a limit. */
  public Optional<Budget> budget(String tenantId) {
    Budget b = budgets.get(tenantId);
    if (b == null || !b.period().equals(YearMonth.from(clock.instant().atZone(clock.getZone())))) {
      return Optional.empty();
    }
    return Optional.of(b);
  }

  /** Why the tenant may run nothing (its limit is reached), for the activator. */
  public Optional<String> exhausted(String tenantId) {
    return budget(tenantId)
        .filter(Budget::reached)
        .map(
            b ->
                "spend limit reached: the spend limit of $"
                    + Charges.usd(b.limitMicros()).toPlainString()
                    + " for "
                    + b.period()
                    + " has been reached");
  }

  /**
   * A cold request is refused (402) when the limit is reached, or when the deployment is at zero
   * and the budget left cannot pay its first hour; a deployment that is starting keeps holding (its
   * boot is paid for).
   */
  /** Sets what is told of each refused wake-up (a metric). */
  public void onRefused(Runnable counter) {
    this.refused = counter;
  }

  @Override
  public Optional<ZeroscaleException> refuse(DeploymentSpec spec) {
    Optional<Budget> b = budget(spec.tenantId());
    if (b.isEmpty()) {
      return Optional.empty();
    }
    long minimum =
        catalog.find(spec.gpu()).map(g -> g.microsPerGpuHour()).orElse(0L) * spec.numGpus();
    boolean atZero =
        spec.status() == DeploymentStatus.SCALED_TO_ZERO
            || spec.status() == DeploymentStatus.FAILED;
    if (b.get().reached() || (atZero && !b.get().fits(minimum))) {
      refused.run();
      return Optional.of(
          new ZeroscaleException(
              OpenAiError.of(
                  402,
                  b.get()
                      .refusal(
                          "an instance of `"
                              + spec.fullName()
                              + "` ("
                              + spec.numGpus()
                              + " × "
                              + spec.gpu()
                              + ")",
                          minimum),
                  null,
                  WakeUpGuard.SPEND_LIMIT_CODE)));
    }
    return Optional.empty();
  }

  /**
   * A budget as {@link RedisBudgetBoard} writes it (what is spent: the limit less what is left).
   */
  private Budget parseBudget(String text) {
    JsonNode n = json.readTree(text);
    long limit = n.required("limit_micros").asLong();
    long remaining = n.required("remaining_micros").asLong();
    return new Budget(
        YearMonth.parse(n.required("period").asString()), limit, limit - remaining, 0);
  }

  Mono<Void> reload() {
    if (!refreshing.compareAndSet(false, true)) {
      return Mono.empty();
    }
    return redisson
        .reactive()
        .<String, String>getMap(RedisSchema.BUDGETS, StringCodec.INSTANCE)
        .readAllMap()
        .doOnNext(
            all ->
                budgets =
                    Map.copyOf(
                        RedisEntries.read(
                            all,
                            this::parseBudget,
                            (tenant, e) ->
                                log.warn(
                                    "Ignoring a malformed budget of tenant {}: {}",
                                    tenant,
                                    e.toString()))))
        .timeout(refresh)
        .then()
        .doOnError(e -> log.debug("Budget refresh failed: {}", e.toString()))
        .onErrorComplete()
        .doFinally(s -> refreshing.set(false));
  }

  @Override
  protected Disposable run() {
    subscribe();
    return Flux.interval(Duration.ZERO, refresh, Schedulers.parallel())
        .onBackpressureDrop()
        .concatMap(
            t -> {
              subscribe();
              return reload();
            })
        .subscribe();
  }

  private void subscribe() {
    if (listener >= 0) {
      return;
    }
    try {
      listener =
          redisson
              .getTopic(RedisSchema.BUDGET_CHANGED, StringCodec.INSTANCE)
              .addListener(String.class, (channel, tenant) -> reload().subscribe());
    } catch (RuntimeException e) {
      log.debug("Could not subscribe to budget changes yet: {}", e.toString());
    }
  }
}
