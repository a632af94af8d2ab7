package io.zeroscale.billing.settings;

import io.zeroscale.billing.limit.SpendLimits;
import io.zeroscale.billing.tenant.BillingTenants;
import io.zeroscale.billing.tenant.TenantRef;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Reads and changes a tenant's billing settings. A change holds the tenant's row lock (as a boot's
 * reservation does), so a reservation sees the limit before or after it, never half of it; the new
 * budget is published at once, so gateways refuse wake-ups past a lowered limit without waiting for
 * the next enforcement pass.
 */
public final class SettingsService {

  private final BillingTenants tenants;
  private final SettingsStore store;
  private final SpendLimits limits;
  private final TransactionalOperator tx;
  private final Clock clock;

  public SettingsService(
      BillingTenants tenants,
      SettingsStore store,
      SpendLimits limits,
      TransactionalOperator tx,
      Clock clock) {
    this.tenants = tenants;
    this.store = store;
    this.limits = limits;
    this.tx = tx;
    this.clock = clock;
  }

  public Mono<BillingSettings> settings(UUID tenantId) {
    return tenants.tenant(tenantId).map(BillingSettings::of).switchIfEmpty(notFound());
  }

  /** Applies the change, or 422 (param {@code spend_limit_usd}) above the admin's ceiling. */
  public Mono<BillingSettings> update(UUID tenantId, SettingsChange change) {
    Instant now = clock.instant();
    return tenants
        .lock(tenantId)
        .switchIfEmpty(Mono.error(notFoundError()))
        .flatMap(
            t -> {
              Long own = change.limitAfter(t.ownLimitMicros());
              Integer alert = change.alertAfter(t.alertThresholdPct());
              // Only a limit being set is checked: a ceiling lowered below a stored limit
              // later leaves that limit stored (the lower one applies) and does not block
              // changing the alert.
              if (change.setLimit()) {
                SettingsRules.aboveCeiling(t.adminLimitMicros(), own)
                    .ifPresent(
                        p -> {
                          throw new ZeroscaleException(
                              OpenAiError.of(422, p, SettingsRules.LIMIT, "invalid_value"));
                        });
              }
              return store
                  .put(tenantId, own, alert, now)
                  .thenReturn(new TenantRef(t.id(), t.name(), t.adminLimitMicros(), own, alert));
            })
        .as(tx::transactional)
        .flatMap(t -> limits.publishNow(t).thenReturn(BillingSettings.of(t)));
  }

  private static <T> Mono<T> notFound() {
    return Mono.error(notFoundError());
  }

  private static ZeroscaleException notFoundError() {
    return new ZeroscaleException(
        OpenAiError.of(404, "This key's tenant no longer exists.", null, "not_found"));
  }
}
