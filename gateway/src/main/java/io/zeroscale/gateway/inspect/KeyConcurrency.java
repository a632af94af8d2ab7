package io.zeroscale.gateway.inspect;

import io.zeroscale.gateway.error.OpenAiError;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * A default bound on one API key's requests in flight on one gateway (held ones included), kept in
 * memory: no Redis round trip, so it costs nothing on the warm path and applies even when no rate
 * limit is configured. The fleet-wide {@code max_concurrent_requests} of a key or tenant (Redis) is
 * the precise limit; this one only stops a single key from taking a gateway's whole capacity: with
 * the default 2 048 and ~1 KiB held per request, one key holds at most ~2 MiB of bodies' minimum
 * charge and 2 048 of the 65 536 requests the default body budget admits.
 */
public final class KeyConcurrency {

  /**
   * {@code zeroscale.gateway.per-key.*}.
   *
   * @param maxInFlight requests of one key in flight on this gateway at once; default 2048
   */
  @ConfigurationProperties("zeroscale.gateway.per-key")
  public record Limit(@DefaultValue("2048") int maxInFlight) {
    public Limit {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException(
            "zeroscale.gateway.per-key.max-in-flight must be positive, got " + maxInFlight);
      }
    }
  }

  private final int max;

  /** Key → requests in flight; entries go at 0, through {@code compute} so none is lost. */
  private final ConcurrentHashMap<UUID, Integer> inFlight = new ConcurrentHashMap<>();

  public KeyConcurrency(Limit limit) {
    this.max = limit.maxInFlight();
  }

  /** Takes a place for one request of {@code key}; false at the limit. Null keys are not bound. */
  public boolean tryAcquire(UUID key) {
    if (key == null) {
      return true;
    }
    boolean[] taken = {false};
    inFlight.compute(
        key,
        (k, n) -> {
          int now = n == null ? 0 : n;
          taken[0] = now < max;
          return taken[0] ? Integer.valueOf(now + 1) : n;
        });
    return taken[0];
  }

  /** Gives back a place taken by {@link #tryAcquire}. */
  public void release(UUID key) {
    if (key != null) {
      inFlight.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  public int inFlight(UUID key) {
    return inFlight.getOrDefault(key, 0);
  }

  /** The 429 past the limit ({@code Retry-After: 1}). */
  public OpenAiError refusal() {
    return OpenAiError.of(
        429,
        "Too many concurrent requests on this API key: at most "
            + max
            + " may be in flight at once on one server. Retry shortly.",
        null,
        "rate_limit_exceeded");
  }
}
