package io.zeroscale.billing.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.billing.invoice.Invoices;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.time.Instant;
import java.time.YearMonth;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The query parameters of the billing reads: every bad value is a small 422 naming it. */
class BillingParamsTest {

  private static void assert422(ThrowingCallable call, String param) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ZeroscaleException.class,
            e -> {
              assertThat(e.error().status()).as(e.error().message()).isEqualTo(422);
              assertThat(e.error().param()).isEqualTo(param);
              assertThat(e.error().type()).isEqualTo("invalid_request_error");
              assertThat(e.error().message()).hasSizeLessThan(250);
            });
  }

  @Test
  void timesAndDatesParse() {
    assertThat(BillingController.instant("from", "2026-11-01T00:00:00Z"))
        .isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
    assertThat(BillingController.instant("from", "2026-11-01"))
        .isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
  }

  /** Instant.parse accepts years up to ±999999999; PostgreSQL stores 4713 BC to 294276 AD. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "+999999999-01-01T00:00:00Z",
        "-999999999-01-01T00:00:00Z",
        "+10000-01-01T00:00:00Z",
        "0000-01-01",
        "1969-12-31T23:59:59Z",
        "tomorrow",
      })
  void aTimeOutsideTheStoredYearsIs422(String value) {
    assert422(() -> BillingController.instant("from", value), "from");
    assert422(() -> BillingController.instant("to", value), "to");
  }

  @Test
  void aLongTimeIsNotEchoedInFull() {
    assert422(() -> BillingController.instant("to", "2026-".repeat(2_000)), "to");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0000-01", "1969-12", "9999-12", "2026-13", "2026-1"})
  void aPeriodOutsideTheStoredYearsIs422(String value) {
    assert422(() -> BillingController.period(value), "period");
  }

  @Test
  void aLongPeriodIsNotEchoedInFull() {
    assert422(() -> BillingController.period("x".repeat(4_000)), "period");
  }

  @Test
  void periodsParse() {
    assertThat(BillingController.period("2026-11")).isEqualTo(YearMonth.of(2026, 11));
    assertThat(BillingController.period("1970-01")).isEqualTo(YearMonth.of(1970, 1));
  }

  @Test
  void aUsageRangeDefaultsToThisMonthAndIsBounded() {
    Instant now = Instant.parse("2026-11-15T10:00:00Z");
    assertThat(BillingController.usageRange(null, null, now))
        .isEqualTo(new BillingController.UsageRange(Instant.parse("2026-11-01T00:00:00Z"), now));
    assert422(() -> BillingController.usageRange("2026-11-16", null, now), "from");
    assert422(() -> BillingController.usageRange("2024-01-01", "2025-06-01", now), "to");
    assert422(() -> BillingController.usageRange("+999999999-01-01T00:00:00Z", null, now), "from");
    assert422(
        () ->
            BillingController.usageRange(
                "-999999999-01-01T00:00:00Z", "-999999999-02-01T00:00:00Z", now),
        "from");
  }

  /** A sequence number beyond int was a NumberFormatException (500); now it is no invoice (404). */
  @Test
  void anInvoiceNumberOutOfRangeIsNoInvoice() {
    assertThat(Invoices.parseNumber("INV-202611-acme-99999999999999999999")).isNull();
    assertThat(Invoices.parseNumber("INV-000001-acme-001")).isNull();
    assertThat(Invoices.parseNumber("INV-202611-acme-123456789"))
        .isEqualTo(new Invoices.Number(YearMonth.of(2026, 11), "acme", 123_456_789));
  }
}
