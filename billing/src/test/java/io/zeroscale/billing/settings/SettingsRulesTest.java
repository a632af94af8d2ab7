package io.zeroscale.billing.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.billing.limit.Budget;
import io.zeroscale.billing.limit.SpendLimitStatus;
import io.zeroscale.billing.tenant.TenantRef;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.web.JsonBody;
import java.time.YearMonth;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class SettingsRulesTest {

  static final YearMonth NOV = YearMonth.of(2026, 11);

  private static void assert422(ThrowingCallable call, String param, String... mentions) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ZeroscaleException.class,
            e -> {
              assertThat(e.error().status()).as(e.error().message()).isEqualTo(422);
              assertThat(e.error().param()).isEqualTo(param);
              for (String m : mentions) {
                assertThat(e.error().message()).contains(m);
              }
            });
  }

  @Test
  void aPatchSetsKeepsOrClearsEachField() {
    SettingsChange set =
        SettingsRules.change(
            JsonBody.parse("{\"spend_limit_usd\":12.5,\"alert_threshold_pct\":80}"));
    assertThat(set).isEqualTo(new SettingsChange(true, 12_500_000L, true, 80));

    SettingsChange onlyAlert = SettingsRules.change(JsonBody.parse("{\"alert_threshold_pct\":50}"));
    assertThat(onlyAlert.limitAfter(7L)).as("absent: kept").isEqualTo(7L);
    assertThat(onlyAlert.alertAfter(80)).isEqualTo(50);

    SettingsChange clear =
        SettingsRules.change(
            JsonBody.parse("{\"spend_limit_usd\":null,\"alert_threshold_pct\":null}"));
    assertThat(clear.limitAfter(7L)).as("null: cleared").isNull();
    assertThat(clear.alertAfter(80)).isNull();

    assertThat(SettingsRules.change(JsonBody.parse("{\"spend_limit_usd\":\"0.75\"}")).limitMicros())
        .as("a decimal in a string, exact")
        .isEqualTo(750_000L);
  }

  @Test
  void badValuesAreRefusedNamingTheField() {
    assert422(
        () -> SettingsRules.change(JsonBody.parse("{\"spend_limit_usd\":-1}")), "spend_limit_usd");
    assert422(
        () -> SettingsRules.change(JsonBody.parse("{\"spend_limit_usd\":1.0000001}")),
        "spend_limit_usd",
        "6 decimals");
    assert422(
        () -> SettingsRules.change(JsonBody.parse("{\"alert_threshold_pct\":0}")),
        "alert_threshold_pct",
        "between 1 and 100");
    assert422(
        () -> SettingsRules.change(JsonBody.parse("{\"alert_threshold_pct\":101}")),
        "alert_threshold_pct");
    assert422(
        () -> SettingsRules.change(JsonBody.parse("{\"alert_threshold_pct\":80.5}")),
        "alert_threshold_pct");
    assertThatThrownBy(() -> SettingsRules.change(JsonBody.parse("{\"gpu_quota\":9}")))
        .as("an admin-only field is unknown here")
        .isInstanceOf(ZeroscaleException.class);
  }

  @Test
  void theAdminLimitIsACeilingTheTenantCanLowerButNotRaise() {
    assertThat(SettingsRules.aboveCeiling(50_000_000L, 60_000_000L))
        .hasValueSatisfying(m -> assertThat(m).contains("$60.00", "ceiling of $50.00"));
    assertThat(SettingsRules.aboveCeiling(50_000_000L, 50_000_000L)).isEmpty();
    assertThat(SettingsRules.aboveCeiling(50_000_000L, 10_000_000L)).isEmpty();
    assertThat(SettingsRules.aboveCeiling(50_000_000L, null)).as("none: the ceiling").isEmpty();
    assertThat(SettingsRules.aboveCeiling(null, 999_000_000L)).as("no ceiling").isEmpty();
  }

  @Test
  void theEnforcedLimitIsTheLowerOfTheAdminsAndTheTenantsOwn() {
    UUID id = UUID.randomUUID();
    assertThat(new TenantRef(id, "a", 50_000_000L, 10_000_000L, null).spendLimitMicros())
        .isEqualTo(10_000_000L);
    assertThat(new TenantRef(id, "a", 5_000_000L, 10_000_000L, null).spendLimitMicros())
        .as("a ceiling lowered below the tenant's own limit wins")
        .isEqualTo(5_000_000L);
    assertThat(new TenantRef(id, "a", 50_000_000L, null, null).spendLimitMicros())
        .isEqualTo(50_000_000L);
    assertThat(new TenantRef(id, "a", null, 10_000_000L, null).spendLimitMicros())
        .isEqualTo(10_000_000L);
    assertThat(new TenantRef(id, "a", null, null, 80).spendLimitMicros()).isNull();

    BillingSettings view = BillingSettings.of(new TenantRef(id, "a", 50_000_000L, 10_000_000L, 80));
    assertThat(view.spendLimitUsd()).isEqualByComparingTo("10.00");
    assertThat(view.spendLimitCeilingUsd()).isEqualByComparingTo("50.00");
    assertThat(view.effectiveSpendLimitUsd()).isEqualByComparingTo("10.00");
    assertThat(view.alertThresholdPct()).isEqualTo(80);
  }

  @Test
  void theAlertIsReachedAtItsShareOfTheLimitSpentOrReserved() {
    // 80 % of $10.00 = $8.00.
    SpendLimitStatus.Alert below =
        SpendLimitStatus.Alert.of(new Budget(NOV, 10_000_000, 5_000_000, 2_999_999), 80);
    assertThat(below.thresholdUsd()).isEqualByComparingTo("8.00");
    assertThat(below.reached()).isFalse();
    assertThat(SpendLimitStatus.Alert.of(new Budget(NOV, 10_000_000, 6_000_000, 2_000_000), 80))
        .extracting(SpendLimitStatus.Alert::reached)
        .isEqualTo(true);
    // 33 % of $0.000001 rounds up to $0.000001: nothing spent has not reached it.
    assertThat(SpendLimitStatus.Alert.of(new Budget(NOV, 1, 0, 0), 33).reached()).isFalse();
    assertThat(SpendLimitStatus.of(new Budget(NOV, 10_000_000, 0, 0), null).alert()).isNull();
    assertThat(SpendLimitStatus.of(new Budget(NOV, 10_000_000, 0, 0), 50).alert().thresholdPct())
        .isEqualTo(50);
  }
}
