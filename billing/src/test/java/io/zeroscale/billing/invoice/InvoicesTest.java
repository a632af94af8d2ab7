package io.zeroscale.billing.invoice;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.billing.ledger.Charge;
import io.zeroscale.billing.ledger.LedgerEntry;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class InvoicesTest {

  static final UUID ACME = UUID.fromString("00000000-0000-0000-0000-00000000acde");
  static final UUID OTHER = UUID.fromString("00000000-0000-0000-0000-000000000bbb");
  static final UUID CHAT = UUID.fromString("00000000-0000-0000-0000-0000000000c1");
  static final YearMonth NOV = YearMonth.of(2026, 11);
  static final YearMonth OCT = YearMonth.of(2026, 10);
  static final Instant LATER = Instant.parse("2026-12-03T00:00:00Z");

  static LedgerEntry e(String id, UUID tenant, long price, String start, String end) {
    return new LedgerEntry(
        id,
        tenant,
        CHAT,
        "chat",
        "A100-80GB",
        1,
        price,
        Instant.parse(start),
        end == null ? null : Instant.parse(end));
  }

  static Invoice build(
      YearMonth p,
      List<LedgerEntry> entries,
      List<Invoice.Charged> invoiced,
      Set<YearMonth> finalized,
      Instant now) {
    return Invoices.build(
        ACME, "acme", p, 1, "draft", entries, invoiced, Invoices.adjustable(p, finalized), now);
  }

  @Test
  void aFewSecondsBillOneHourWithTheTopUpShown() {
    Invoice inv =
        build(
            NOV,
            List.of(
                e("a", ACME, 2_000_000, "2026-11-05T10:00:00Z", "2026-11-05T10:00:06Z"),
                e("x", OTHER, 2_000_000, "2026-11-05T10:00:00Z", "2026-11-05T12:00:00Z")),
            List.of(),
            Set.of(),
            LATER);
    assertThat(inv.number()).isEqualTo("INV-202611-acme-001");
    assertThat(inv.lines()).hasSize(1); // the other tenant's instance is not on it
    Invoice.Line l = inv.lines().getFirst();
    assertThat(l.instances()).isEqualTo(1);
    assertThat(l.charge()).isEqualTo(new Charge(6, 3600, 3594));
    assertThat(l.amount()).isEqualTo(new BigDecimal("2.00"));
    assertThat(inv.total()).isEqualTo(new BigDecimal("2.00"));
  }

  @Test
  void aPriceChangeMidMonthGivesASecondLineAndLeavesTheRunningInstanceAlone() {
    // At 11:30 on the 5th, a (started at 2.00 before the change) has run 1.5 h.
    Invoice inv =
        build(
            NOV,
            List.of(e("a", ACME, 2_000_000, "2026-11-05T10:00:00Z", null)),
            List.of(),
            Set.of(),
            Instant.parse("2026-11-05T11:30:00Z"));
    assertThat(inv.lines()).hasSize(1);
    assertThat(inv.lines().getFirst().amount()).isEqualByComparingTo("3.00");
    // The price is 2.50 from the 10th: b starts after it; a keeps its 2.00.
    Invoice later =
        build(
            NOV,
            List.of(
                e("a", ACME, 2_000_000, "2026-11-05T10:00:00Z", "2026-11-05T11:30:00Z"),
                e("b", ACME, 2_500_000, "2026-11-20T10:00:00Z", "2026-11-20T10:30:00Z")),
            List.of(),
            Set.of(),
            LATER);
    assertThat(later.lines())
        .extracting(Invoice.Line::microsPerGpuHour, Invoice.Line::amount)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(2_000_000L, new BigDecimal("3.00")),
            org.assertj.core.groups.Tuple.tuple(2_500_000L, new BigDecimal("2.50")));
    assertThat(later.total()).isEqualByComparingTo("5.50");
  }

  @Test
  void aMonthSpanningInstanceSplitsAsTheRuleSays() {
    List<LedgerEntry> ledger =
        List.of(e("a", ACME, 2_000_000, "2026-10-31T23:30:00Z", "2026-11-01T01:30:00Z"));
    Invoice oct = build(OCT, ledger, List.of(), Set.of(), LATER);
    Invoice nov = build(NOV, ledger, List.of(), Set.of(), LATER);
    assertThat(oct.lines().getFirst().charge().billedGpuSeconds()).isEqualTo(3600);
    assertThat(nov.lines().getFirst().charge().billedGpuSeconds()).isEqualTo(3600);
  }

  @Test
  void lateEventsOfAFinalizedMonthBecomeAnAdjustmentOnTheNextInvoice() {
    LedgerEntry a = e("a", ACME, 2_000_000, "2026-10-05T10:00:00Z", "2026-10-05T10:10:00Z");
    Invoice octFinal =
        Invoices.build(ACME, "acme", OCT, 1, "final", List.of(a), List.of(), List.of(), LATER);
    // A late instance of October arrives after October was finalized.
    LedgerEntry late = e("b", ACME, 2_000_000, "2026-10-20T10:00:00Z", "2026-10-20T12:00:00Z");
    Invoice nov = build(NOV, List.of(a, late), octFinal.charged(), Set.of(OCT), LATER);
    assertThat(nov.lines()).hasSize(1);
    Invoice.Line adj = nov.lines().getFirst();
    assertThat(adj.type()).isEqualTo("adjustment");
    assertThat(adj.usagePeriod()).isEqualTo(OCT);
    assertThat(adj.charge().billedGpuSeconds()).isEqualTo(7200);
    assertThat(adj.amount()).isEqualByComparingTo("4.00");
    // Nothing changed for a: no adjustment for it.
    assertThat(adj.instances()).isEqualTo(1);
  }

  @Test
  void aHeartbeatCloseCorrectedByALateStopIsACreditOrACharge() {
    LedgerEntry closedAtBeat =
        e("a", ACME, 2_000_000, "2026-10-05T10:00:00Z", "2026-10-05T13:00:00Z");
    Invoice octFinal =
        Invoices.build(
            ACME, "acme", OCT, 1, "final", List.of(closedAtBeat), List.of(), List.of(), LATER);
    LedgerEntry stoppedEarlier =
        e("a", ACME, 2_000_000, "2026-10-05T10:00:00Z", "2026-10-05T12:00:00Z");
    Invoice nov = build(NOV, List.of(stoppedEarlier), octFinal.charged(), Set.of(OCT), LATER);
    assertThat(nov.lines().getFirst().amount()).isEqualByComparingTo("-2.00");
  }

  @Test
  void adjustmentsGoToTheFirstOpenMonthOnly() {
    assertThat(Invoices.adjustable(NOV, Set.of(OCT, YearMonth.of(2026, 9))))
        .containsExactly(OCT, YearMonth.of(2026, 9));
    assertThat(Invoices.adjustable(NOV, Set.of(YearMonth.of(2026, 9)))).isEmpty();
  }

  @Test
  void numbersRoundTrip() {
    assertThat(Invoices.number(NOV, "acme", 1)).isEqualTo("INV-202611-acme-001");
    assertThat(Invoices.parseNumber("INV-202611-acme-001"))
        .isEqualTo(new Invoices.Number(NOV, "acme", 1));
    assertThat(Invoices.parseNumber("INV-202613-acme-001")).isNull();
    assertThat(Invoices.parsePeriod("2026-11")).isEqualTo(NOV);
    assertThat(Invoices.parsePeriod("2026-1")).isNull();
    assertThat(Invoices.parsePeriod("2026-00")).isNull();
  }

  @Test
  void csvMatchesJsonToTheCent() {
    Invoice inv =
        build(
            NOV,
            List.of(
                e("a", ACME, 2_000_000, "2026-11-05T10:00:00Z", "2026-11-05T10:00:06Z"),
                e("b", ACME, 1_234_567, "2026-11-06T10:00:00Z", "2026-11-06T11:31:07Z")),
            List.of(),
            Set.of(),
            LATER);
    InvoiceDocuments docs = new InvoiceDocuments();
    JsonNode json =
        JsonMapper.builder()
            .enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build()
            .readTree(docs.json(inv));
    String[] rows = docs.csv(inv).split("\r\n");
    assertThat(rows[0]).isEqualTo(String.join(",", InvoiceDocuments.CSV_COLUMNS));
    assertThat(rows).hasSize(1 + json.get("lines").size());
    int amount = InvoiceDocuments.CSV_COLUMNS.indexOf("amount_usd");
    BigDecimal sum = BigDecimal.ZERO;
    for (int i = 1; i < rows.length; i++) {
      String[] f = rows[i].split(",");
      BigDecimal fromJson = json.get("lines").get(i - 1).get("amount_usd").decimalValue();
      assertThat(new BigDecimal(f[amount])).isEqualTo(fromJson);
      assertThat(f[0]).isEqualTo("INV-202611-acme-001");
      sum = sum.add(fromJson);
    }
    assertThat(json.get("total_usd").decimalValue()).isEqualTo(sum);
    assertThat(json.get("lines").get(1).get("billed_gpu_hours").toString()).isEqualTo("1.000000");
    assertThat(json.get("lines").get(1).get("minimum_top_up_gpu_hours").toString())
        .isEqualTo("0.998333");
  }

  @Test
  void csvQuotesPerRfc4180() {
    assertThat(InvoiceDocuments.field("a,b")).isEqualTo("\"a,b\"");
    assertThat(InvoiceDocuments.field("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(InvoiceDocuments.field(new BigDecimal("2.00"))).isEqualTo("2.00");
  }

  static LedgerEntry on(String id, String gpu, long price, String start, String end) {
    return new LedgerEntry(
        id, ACME, CHAT, "chat", gpu, 1, price, Instant.parse(start), Instant.parse(end));
  }

  /**
   * The worked example of docs/api.md: a rollout of "chat" (max_instances 2) from A100-80GB to
   * H100-80GB with a surge of one. Each instance is billed at its own GPU type and price, so the
   * invoice has one line per type for the one deployment; the surge instance is billed like any.
   */
  @Test
  void aRolloutToAnotherGpuTypeGivesOneLinePerTypeAndBillsTheSurgeInstance() {
    Invoice inv =
        build(
            NOV,
            List.of(
                on("a1", "A100-80GB", 2_000_000, "2026-11-05T08:00:00Z", "2026-11-05T10:20:00Z"),
                on("a2", "A100-80GB", 2_000_000, "2026-11-05T08:00:00Z", "2026-11-05T10:40:00Z"),
                // the surge instance: booted at 10:00 while a1 and a2 still served
                on("n1", "H100-80GB", 2_500_000, "2026-11-05T10:00:00Z", "2026-11-05T12:40:00Z"),
                on("n2", "H100-80GB", 2_500_000, "2026-11-05T10:20:00Z", "2026-11-05T12:40:00Z")),
            List.of(),
            Set.of(),
            LATER);
    assertThat(inv.lines())
        .extracting(
            Invoice.Line::deployment,
            Invoice.Line::gpu,
            Invoice.Line::instances,
            l -> l.charge().billedGpuSeconds(),
            Invoice.Line::amount)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "chat", "A100-80GB", 2, 18_000L, new BigDecimal("10.00")),
            org.assertj.core.groups.Tuple.tuple(
                "chat", "H100-80GB", 2, 18_000L, new BigDecimal("12.50")));
    assertThat(inv.total()).isEqualByComparingTo("22.50");
  }
}
