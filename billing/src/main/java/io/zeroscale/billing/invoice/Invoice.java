package io.zeroscale.billing.invoice;

import io.zeroscale.billing.ledger.Charge;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;

/**
 * One tenant's invoice for one calendar month (UTC).
 *
 * @param number {@code INV-YYYYMM-<tenant>-<seq>}
 * @param status {@code draft} (open month, or a closed one not finalized yet) or {@code final}
 * @param asOf the time the charges were computed at (running instances accrued up to it); for a
 *     final invoice, when it was finalized
 * @param lines usage lines, then adjustment lines
 * @param subtotal sum of the lines' amounts (each already rounded to the cent)
 * @param total what is due: the subtotal (no taxes or credits yet)
 * @param charged what each instance is charged on this invoice, per usage period: kept with a final
 *     invoice so that a later correction becomes an adjustment of exactly the difference
 */
public record Invoice(
    String number,
    UUID tenantId,
    String tenantName,
    YearMonth period,
    String status,
    Instant asOf,
    List<Line> lines,
    BigDecimal subtotal,
    BigDecimal total,
    List<Charged> charged) {

  public static final String CURRENCY = "USD";

  public Invoice {
    lines = List.copyOf(lines);
    charged = List.copyOf(charged);
  }

  /**
   * One line: a deployment × GPU type × rate (two rates in one month, after a price change, give
   * two lines), for the invoice's own month ({@code usage}) or for an earlier, finalized one
   * ({@code adjustment}).
   *
   * @param type {@code usage} or {@code adjustment}
   * @param usagePeriod the month the usage happened in
   * @param instances instances that contributed
   * @param charge GPU-seconds: run, billed, and the first-hour top-up within the billed
   * @param amount billed GPU-seconds × rate, half-even at the cent (negative for a credit)
   */
  public record Line(
      String type,
      YearMonth usagePeriod,
      UUID deploymentId,
      String deployment,
      String gpu,
      long microsPerGpuHour,
      int instances,
      Charge charge,
      BigDecimal amount) {}

  /** An instance's charge for one usage period on this invoice. */
  public record Charged(
      String instanceId,
      YearMonth usagePeriod,
      UUID deploymentId,
      String deploymentName,
      String gpu,
      long microsPerGpuHour,
      Charge charge) {}
}
