package io.zeroscale.billing.invoice;

import io.zeroscale.billing.ledger.Charge;
import io.zeroscale.billing.ledger.Charges;
import io.zeroscale.billing.ledger.LedgerEntry;
import io.zeroscale.gateway.web.InputBounds;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Builds invoices from the ledger: a pure function of (ledger entries, what final invoices already
 * charged, the month, now). Used the same way for a draft and for finalizing, so a draft shows
 * exactly what finalizing it now would produce.
 */
public final class Invoices {

  private static final Pattern PERIOD = Pattern.compile("\\d{4}-\\d{2}");
  private static final DateTimeFormatter YYYYMM = DateTimeFormatter.ofPattern("yyyyMM");

  /** At most 9 digits of sequence, so that it is an int ({@code Integer.parseInt} never throws). */
  private static final Pattern NUMBER =
      Pattern.compile("INV-(\\d{4})(\\d{2})-([a-z0-9][a-z0-9-]{0,62})-(\\d{3,9})");

  private Invoices() {}

  /**
   * {@code YYYY-MM}, or null when malformed or outside the times the API takes ({@link
   * InputBounds#storable}: 1970-01 to 9998-12; year 0000 would reach the database as a year it does
   * not have).
   */
  public static YearMonth parsePeriod(String s) {
    if (s == null || !PERIOD.matcher(s).matches()) {
      return null;
    }
    return period(Integer.parseInt(s.substring(0, 4)), Integer.parseInt(s.substring(5)));
  }

  /** The month, or null when it is not one or not within {@link InputBounds#storable}. */
  private static YearMonth period(int year, int month) {
    if (month < 1 || month > 12) {
      return null;
    }
    YearMonth p = YearMonth.of(year, month);
    boolean storable = InputBounds.storable(start(p)) && !end(p).isAfter(InputBounds.MAX_TIME);
    return storable ? p : null;
  }

  public static Instant start(YearMonth p) {
    return p.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  public static Instant end(YearMonth p) {
    return start(p.plusMonths(1));
  }

  public static YearMonth periodOf(Instant t) {
    return YearMonth.from(t.atOffset(ZoneOffset.UTC));
  }

  /** {@code INV-202611-acme-001}. */
  public static String number(YearMonth period, String tenantName, int seq) {
    return "INV-" + YYYYMM.format(period) + "-" + tenantName + "-" + String.format("%03d", seq);
  }

  /** The parts of an invoice number, or null when it is not one. */
  public record Number(YearMonth period, String tenantName, int seq) {}

  public static Number parseNumber(String s) {
    var m = s == null ? null : NUMBER.matcher(s);
    if (m == null || !m.matches()) {
      return null;
    }
    YearMonth period = period(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    if (period == null) {
      return null;
    }
    return new Number(period, m.group(3), Integer.parseInt(m.group(4)));
  }

  /**
   * The finalized months whose late corrections land on {@code period}'s invoice: every finalized
   * month before it with only finalized months in between (the first invoice still open after a
   * closed month is the one that adjusts it).
   */
  public static List<YearMonth> adjustable(YearMonth period, Set<YearMonth> finalized) {
    List<YearMonth> out = new ArrayList<>();
    YearMonth p = period.minusMonths(1);
    while (finalized.contains(p)) {
      out.add(p);
      p = p.minusMonths(1);
    }
    return out;
  }

  /**
   * Builds the invoice.
   *
   * @param entries ledger entries of the tenant that may touch {@code period} or an adjustable
   *     month
   * @param invoiced what final invoices already charged for the adjustable months
   * @param adjustable months to adjust (see {@link #adjustable})
   */
  public static Invoice build(
      UUID tenantId,
      String tenantName,
      YearMonth period,
      int seq,
      String status,
      List<LedgerEntry> entries,
      List<Invoice.Charged> invoiced,
      List<YearMonth> adjustable,
      Instant now) {
    List<Invoice.Charged> charged = new ArrayList<>();
    for (LedgerEntry e : entries) {
      if (!e.tenantId().equals(tenantId)) {
        continue;
      }
      Charge c = Charges.in(e, start(period), end(period), now);
      if (!c.isZero()) {
        charged.add(charged(e, period, c));
      }
    }
    List<Invoice.Line> lines = new ArrayList<>(group("usage", charged));
    // Adjustments: what the ledger says now, minus what final invoices charged.
    List<Invoice.Charged> deltas = new ArrayList<>();
    for (YearMonth p : adjustable) {
      Map<String, Invoice.Charged> was = new HashMap<>();
      for (Invoice.Charged c : invoiced) {
        if (c.usagePeriod().equals(p)) {
          was.merge(
              c.instanceId(),
              c,
              (a, b) ->
                  new Invoice.Charged(
                      a.instanceId(),
                      a.usagePeriod(),
                      a.deploymentId(),
                      a.deploymentName(),
                      a.gpu(),
                      a.microsPerGpuHour(),
                      a.charge().plus(b.charge())));
        }
      }
      Set<String> seen = new HashSet<>();
      for (LedgerEntry e : entries) {
        if (!e.tenantId().equals(tenantId)) {
          continue;
        }
        seen.add(e.instanceId());
        Charge now1 = Charges.in(e, start(p), end(p), now);
        Invoice.Charged before = was.get(e.instanceId());
        Charge delta = before == null ? now1 : now1.minus(before.charge());
        if (!delta.isZero()) {
          deltas.add(charged(e, p, delta));
        }
      }
      for (Invoice.Charged c : was.values()) {
        if (!seen.contains(c.instanceId()) && !c.charge().isZero()) {
          deltas.add(
              new Invoice.Charged(
                  c.instanceId(),
                  p,
                  c.deploymentId(),
                  c.deploymentName(),
                  c.gpu(),
                  c.microsPerGpuHour(),
                  Charge.ZERO.minus(c.charge())));
        }
      }
    }
    lines.addAll(group("adjustment", deltas));
    BigDecimal subtotal = BigDecimal.ZERO.setScale(2);
    for (Invoice.Line l : lines) {
      subtotal = subtotal.add(l.amount());
    }
    List<Invoice.Charged> all = new ArrayList<>(charged);
    all.addAll(deltas);
    return new Invoice(
        number(period, tenantName, seq),
        tenantId,
        tenantName,
        period,
        status,
        now,
        lines,
        subtotal,
        subtotal,
        all);
  }

  private static Invoice.Charged charged(LedgerEntry e, YearMonth p, Charge c) {
    return new Invoice.Charged(
        e.instanceId(), p, e.deploymentId(), e.deploymentName(), e.gpu(), e.microsPerGpuHour(), c);
  }

  private record Key(
      YearMonth period, String deployment, UUID deploymentId, String gpu, long rate) {}

  private static List<Invoice.Line> group(String type, List<Invoice.Charged> charges) {
    Map<Key, List<Invoice.Charged>> groups = new LinkedHashMap<>();
    for (Invoice.Charged c : charges) {
      groups
          .computeIfAbsent(
              new Key(
                  c.usagePeriod(),
                  c.deploymentName(),
                  c.deploymentId(),
                  c.gpu(),
                  c.microsPerGpuHour()),
              k -> new ArrayList<>())
          .add(c);
    }
    List<Invoice.Line> lines = new ArrayList<>();
    for (var g : groups.entrySet()) {
      Charge sum = Charge.ZERO;
      Set<String> instances = new HashSet<>();
      for (Invoice.Charged c : g.getValue()) {
        sum = sum.plus(c.charge());
        instances.add(c.instanceId());
      }
      Key k = g.getKey();
      lines.add(
          new Invoice.Line(
              type,
              k.period(),
              k.deploymentId(),
              k.deployment(),
              k.gpu(),
              k.rate(),
              instances.size(),
              sum,
              Charges.amountUsd(sum.billedGpuSeconds(), k.rate())));
    }
    lines.sort(
        Comparator.comparing(Invoice.Line::usagePeriod)
            .thenComparing(l -> l.deployment() == null ? "" : l.deployment())
            .thenComparing(l -> l.deploymentId().toString())
            .thenComparing(Invoice.Line::gpu)
            .thenComparingLong(Invoice.Line::microsPerGpuHour));
    return lines;
  }
}
