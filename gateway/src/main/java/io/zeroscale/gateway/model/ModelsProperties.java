package io.zeroscale.gateway.model;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Bounds on each tenant's model library ({@code zeroscale.models.*}), so that no tenant can keep
 * the hub client busy or fill the {@code models} table (SPEC §11: imports per tenant are bounded).
 *
 * @param importsPerHour imports a tenant may start per hour, on each gateway: a token bucket of
 *     that many, refilled evenly (30 an hour gives one back every 120 s, and a tenant idle for an
 *     hour may start 30 at once). {@code POST /api/v1/models} counts, and so does a deployment with
 *     an inline {@code model.hf} that needs a hub lookup. Up to 3 600 000 (one a millisecond)
 * @param maxImporting imports of one tenant in status {@code importing} at once; each ends within
 *     {@code zeroscale.hub.timeout} (5 s) unless its gateway stops
 * @param maxModels models in one tenant's library (deleted ones do not count)
 * @param platformTokenForUnverified whether instances of a model imported {@code unverified} (the
 *     hub was unreachable, so nobody checked the repo is public) and without a token of the tenant
 *     may download with the platform's own HF token. Off by default: otherwise a tenant could have
 *     the platform download repos only the platform's token can read. A {@code ready} model without
 *     a tenant token is public and its instances get no token at all; a model with the tenant's
 *     token always uses that one
 */
@ConfigurationProperties("zeroscale.models")
public record ModelsProperties(
    @DefaultValue("30") int importsPerHour,
    @DefaultValue("5") int maxImporting,
    @DefaultValue("500") int maxModels,
    @DefaultValue("false") boolean platformTokenForUnverified) {

  /** Bounds what an operator can set by mistake; 1 000 000 models is far past any real library. */
  static final int MAX_VALUE = 1_000_000;

  /** One token a millisecond: a finer bucket measures nothing. */
  static final int MAX_IMPORTS_PER_HOUR = 3_600_000;

  public ModelsProperties {
    check("imports-per-hour", importsPerHour, MAX_IMPORTS_PER_HOUR);
    check("max-importing", maxImporting, MAX_VALUE);
    check("max-models", maxModels, MAX_VALUE);
  }

  private static void check(String name, int value, int max) {
    if (value < 1 || value > max) {
      throw new IllegalArgumentException(
          "zeroscale.models." + name + " must be between 1 and " + max + ", got " + value);
    }
  }
}
