package io.zeroscale.billing.settings;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.zeroscale.billing.ledger.Charges;
import io.zeroscale.billing.tenant.TenantRef;
import io.zeroscale.gateway.web.ApiJson;
import java.math.BigDecimal;

/**
 * The body of {@code GET/PATCH /api/v1/billing/settings}.
 *
 * @param spendLimitUsd the tenant's own monthly limit, null = none
 * @param alertThresholdPct percent of the enforced limit at which usage reports the alert, null =
 *     none
 * @param spendLimitCeilingUsd the administrator's limit, which the tenant's cannot exceed; null =
 *     none
 * @param effectiveSpendLimitUsd the limit enforced: the lower of the two, null = none
 */
@ApiJson
@JsonPropertyOrder({
  "object",
  "spend_limit_usd",
  "alert_threshold_pct",
  "spend_limit_ceiling_usd",
  "effective_spend_limit_usd"
})
public record BillingSettings(
    BigDecimal spendLimitUsd,
    Integer alertThresholdPct,
    BigDecimal spendLimitCeilingUsd,
    BigDecimal effectiveSpendLimitUsd) {

  @JsonProperty("object")
  public String object() {
    return "billing.settings";
  }

  public static BillingSettings of(TenantRef t) {
    return new BillingSettings(
        usd(t.ownLimitMicros()),
        t.alertThresholdPct(),
        usd(t.adminLimitMicros()),
        usd(t.spendLimitMicros()));
  }

  private static BigDecimal usd(Long micros) {
    return micros == null ? null : Charges.usd(micros);
  }
}
