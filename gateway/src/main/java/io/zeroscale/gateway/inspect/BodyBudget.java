package io.zeroscale.gateway.inspect;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.settings.Checks;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How many bytes of request bodies one gateway keeps in memory at once, in all and per tenant. A
 * body is read whole before it is routed and stays in memory while its request is held for a cold
 * deployment or a busy slot, then while it is forwarded; without a budget, 60 held 2 MiB requests
 * kept ~260 MB and about 1 500 connections of one key filled the default heap.
 *
 * <p>Each request reserves its {@code Content-Length} (at least {@link Limits#minimumBytes()}, so
 * that empty bodies and the request's own bookkeeping count too) <em>before</em> its body is read;
 * a chunked body grows its reservation as bytes arrive. Past either budget the request is refused
 * with 429 at once and its body is never read. With the defaults (256 MiB per gateway, 64 MiB per
 * tenant, 1 KiB minimum) 10 000 held chat requests of ~1 KiB take ~10 MiB; 32 uploads of 2 MiB from
 * one tenant fill its 64 MiB, and the 33rd waits for one of them to finish.
 *
 * <p>Thread-safe and lock-free; no Spring or Netty: a pure accounting class.
 */
public final class BodyBudget {

  /**
   * {@code zeroscale.gateway.body-budget.*}.
   *
   * @param gatewayBytes request bodies held in memory by this gateway at once; default 256 MiB
   * @param tenantBytes the same for one tenant; default 64 MiB
   * @param minimumBytes what each request counts at least, whatever its body; default 1 KiB
   */
  @ConfigurationProperties("zeroscale.gateway.body-budget")
  public record Limits(
      @DefaultValue("268435456") long gatewayBytes,
      @DefaultValue("67108864") long tenantBytes,
      @DefaultValue("1024") long minimumBytes) {

    public Limits {
      range("gateway-bytes", gatewayBytes, 1, Long.MAX_VALUE, "must be positive");
      range("tenant-bytes", tenantBytes, 1, gatewayBytes, "must be between 1 and gateway-bytes");
      range("minimum-bytes", minimumBytes, 0, tenantBytes, "must be between 0 and tenant-bytes");
    }

    public static Limits defaults() {
      return new Limits(256L << 20, 64L << 20, 1024);
    }

    private static void range(String name, long value, long min, long max, String rule) {
      Checks.range("zeroscale.gateway.body-budget." + name, value, min, max, rule);
    }
  }

  /** What a refused reservation ran into. */
  public enum Scope {
    GATEWAY,
    TENANT
  }

  private final Limits limits;
  private final AtomicLong used = new AtomicLong();

  /**
   * Tenant → bytes; changed only through {@code compute}, so an entry removed at 0 is never lost.
   */
  private final ConcurrentHashMap<String, Long> perTenant = new ConcurrentHashMap<>();

  public BodyBudget(Limits limits) {
    this.limits = limits;
  }

  public Limits limits() {
    return limits;
  }

  /** Bytes reserved now, all tenants together. */
  public long used() {
    return used.get();
  }

  /** Bytes reserved now by one tenant. */
  public long used(String tenant) {
    Long n = perTenant.get(tenant);
    return n == null ? 0 : n;
  }

  /**
   * An empty reservation for one request of {@code tenant}; {@link Reservation#ensure} fills it.
   */
  public Reservation open(String tenant) {
    return new Reservation(tenant);
  }

  /**
   * The bytes one request holds; grows as a chunked body arrives, given back once by {@link
   * #release()} (later calls do nothing).
   */
  public final class Reservation {
    private final String tenant;
    private long bytes;
    private boolean released;

    private Reservation(String tenant) {
      this.tenant = tenant;
    }

    /** Bytes held now. */
    public synchronized long bytes() {
      return bytes;
    }

    /**
     * Makes the reservation at least {@code atLeast} bytes (and at least the minimum): null when
     * done, else the budget that refused the growth (the reservation then stays as it was).
     */
    public synchronized Scope ensure(long atLeast) {
      long total = Math.max(atLeast, limits.minimumBytes());
      if (released || total <= bytes) {
        return null;
      }
      long more = total - bytes;
      if (used.addAndGet(more) > limits.gatewayBytes()) {
        used.addAndGet(-more);
        return Scope.GATEWAY;
      }
      boolean[] fits = {false};
      perTenant.compute(
          tenant,
          (t, held) -> {
            long now = (held == null ? 0 : held) + more;
            fits[0] = now <= limits.tenantBytes();
            return fits[0] ? Long.valueOf(now) : held;
          });
      if (!fits[0]) {
        used.addAndGet(-more);
        return Scope.TENANT;
      }
      bytes = total;
      return null;
    }

    /** Gives every byte back; idempotent. */
    public synchronized void release() {
      if (released) {
        return;
      }
      released = true;
      used.addAndGet(-bytes);
      long mine = bytes;
      // At 0 the entry goes, so the map holds only tenants with requests in flight.
      perTenant.computeIfPresent(tenant, (t, held) -> held - mine == 0 ? null : held - mine);
      bytes = 0;
    }
  }

  /**
   * The 429 for a request that did not fit: {@code Retry-After: 1} (a held body leaves as soon as
   * its request is answered).
   */
  public static OpenAiError refusal(Scope scope) {
    String what =
        scope == Scope.TENANT
            ? "this organization's requests already hold"
            : "this server's requests already hold";
    return OpenAiError.of(
        429,
        "Too many request bytes in flight: "
            + what
            + " as many bytes as allowed. Retry shortly, or send fewer or smaller requests at"
            + " once.",
        null,
        "too_many_request_bytes");
  }
}
