package io.zeroscale.gateway.model;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.ratelimit.RateLimitHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The bounds on a tenant's imports ({@link ModelsProperties}), as the refusals to answer:
 *
 * <ul>
 *   <li>{@link #take}: imports started per hour, 429 {@code rate_limit_exceeded} with {@code
 *       Retry-After} past it;
 *   <li>{@link #forImport}, {@link #forInlineImport}: models in the library (422 {@code
 *       quota_exceeded}: only deleting models helps) and imports under way at once (429 {@code
 *       rate_limit_exceeded}: retrying in a few seconds helps), checked with the tenant locked.
 * </ul>
 *
 * <p>The hourly bucket is in memory, one per tenant on each gateway, so with {@code n} gateways a
 * tenant may start up to {@code n} × {@code imports-per-hour}: imports are rare and cheap next to
 * inference, and the library and in-progress caps, which are exact (counted in PostgreSQL), bound
 * what a tenant can hold whatever the number of gateways. A restart forgets the buckets (they come
 * back full).
 *
 * <p>The bucket is kept as the instant it will be full again ({@code fullAt}), a generic cell rate
 * algorithm: each import moves it one interval ({@code 1 h / imports-per-hour}, 120 s for 30)
 * later, from now if it was already full, and an import is refused when that would put it more than
 * {@code imports-per-hour} intervals ahead. 30 imports at 12:00 put {@code fullAt} at 13:00; a 31st
 * at 12:00 would put it at 13:02, 2 min too far, so it is refused with {@code Retry-After: 120},
 * and not counted: hammering does not push the next import further away.
 */
public final class ImportLimits {

  /** Tenants tracked at most: 100 000 × ~100 B ≈ 10 MB. Full buckets are dropped first. */
  static final int MAX_TENANTS = 100_000;

  private final ModelsProperties properties;
  private final Duration interval;
  private final Duration burst;
  private final Duration hubTimeout;
  private final Clock clock;
  private final int maxTenants;
  private final ConcurrentMap<UUID, Instant> fullAt = new ConcurrentHashMap<>();

  /**
   * @param hubTimeout how long an import stays {@code importing} at most ({@code
   *     zeroscale.hub.timeout}): the retry hint when too many are under way
   */
  public ImportLimits(ModelsProperties properties, Duration hubTimeout, Clock clock) {
    this(properties, hubTimeout, clock, MAX_TENANTS);
  }

  ImportLimits(ModelsProperties properties, Duration hubTimeout, Clock clock, int maxTenants) {
    this.properties = properties;
    this.interval = Duration.ofHours(1).dividedBy(properties.importsPerHour());
    this.burst = interval.multipliedBy(properties.importsPerHour());
    this.hubTimeout = hubTimeout;
    this.clock = clock;
    this.maxTenants = maxTenants;
  }

  /** What a tenant's library holds now: live models, and those of them still importing. */
  public record Library(long models, long importing) {}

  /** Takes one import from the tenant's hourly bucket; the 429 to answer when it is empty. */
  public Optional<ZeroscaleException> take(UUID tenant) {
    Instant now = clock.instant();
    if (!fullAt.containsKey(tenant) && fullAt.size() >= maxTenants) {
      forgetFullBuckets(now);
    }
    Duration[] wait = {Duration.ZERO};
    fullAt.compute(
        tenant,
        (id, full) -> {
          Instant from = full == null || full.isBefore(now) ? now : full;
          Instant next = from.plus(interval);
          Duration ahead = Duration.between(now, next);
          if (ahead.compareTo(burst) > 0) {
            wait[0] = ahead.minus(burst);
            return full;
          }
          return next;
        });
    if (wait[0].isZero()) {
      return Optional.empty();
    }
    return Optional.of(
        new ZeroscaleException(
            OpenAiError.of(
                429,
                "Too many model imports: your tenant may start at most "
                    + properties.importsPerHour()
                    + " model imports per hour. Please try again in "
                    + RateLimitHeaders.duration(wait[0])
                    + ".",
                null,
                "rate_limit_exceeded"),
            seconds(wait[0])));
  }

  /** For {@code POST /api/v1/models}: a full library, or too many imports under way. */
  public Optional<ZeroscaleException> forImport(Library library) {
    return full(library, null)
        .or(
            () -> {
              if (library.importing() < properties.maxImporting()) {
                return Optional.empty();
              }
              long retry = seconds(hubTimeout);
              return Optional.of(
                  new ZeroscaleException(
                      OpenAiError.of(
                          429,
                          "You have "
                              + library.importing()
                              + " imports in progress, the most allowed at once ("
                              + properties.maxImporting()
                              + "). Please try again in "
                              + retry
                              + "s, when one has finished.",
                          null,
                          "rate_limit_exceeded"),
                      retry));
            });
  }

  /**
   * For a deployment's inline {@code model.hf}: a full library only. Such an import is stored with
   * its outcome at once, so it never counts as under way.
   */
  public Optional<ZeroscaleException> forInlineImport(Library library) {
    return full(library, "model");
  }

  private Optional<ZeroscaleException> full(Library library, String param) {
    if (library.models() < properties.maxModels()) {
      return Optional.empty();
    }
    return Optional.of(
        new ZeroscaleException(
            OpenAiError.of(
                422,
                "Your library has "
                    + library.models()
                    + " models, the most it may hold ("
                    + properties.maxModels()
                    + "). Delete models you no longer use, or ask an admin to raise the limit.",
                param,
                "quota_exceeded")));
  }

  /** Tenants whose bucket is tracked (for tests). */
  int tracked() {
    return fullAt.size();
  }

  /**
   * A full bucket is the same as none, so dropping it changes nothing; if every tracked tenant has
   * imported within the hour, all are forgotten (they get a full bucket again): a bounded memory is
   * worth more than an exact count at 100 000 tenants importing every hour.
   */
  private void forgetFullBuckets(Instant now) {
    fullAt.values().removeIf(full -> !full.isAfter(now));
    if (fullAt.size() >= maxTenants) {
      fullAt.clear();
    }
  }

  /** Whole seconds, rounded up and at least 1: a client told "0" would retry at once. */
  private static long seconds(Duration d) {
    return Math.max(1, d.getSeconds() + (d.getNano() > 0 ? 1 : 0));
  }
}
