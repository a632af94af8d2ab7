package io.zeroscale.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.billing.ledger.LedgerEntry;
import io.zeroscale.billing.limit.Budget;
import io.zeroscale.billing.limit.SpendLimitStatus;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The usage report as a pure function of ledger entries, and the JSON it is served as. */
class UsageReportTest {

  static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
  static final UUID CHAT = UUID.fromString("00000000-0000-0000-0000-0000000000c1");
  static final UUID EMBED = UUID.fromString("00000000-0000-0000-0000-0000000000e1");
  static final long A100 = 2_000_000;
  static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
  static final Instant TO = Instant.parse("2026-11-20T00:00:00Z");
  static final Instant NOW = Instant.parse("2026-11-10T12:00:00Z");

  static LedgerEntry entry(String id, UUID dep, int gpus, String start, String end) {
    return new LedgerEntry(
        id,
        TENANT,
        dep,
        dep.equals(CHAT) ? "chat" : "embed",
        "A100-80GB",
        gpus,
        A100,
        Instant.parse(start),
        end == null ? null : Instant.parse(end));
  }

  /** Chat: 10 min (billed 1 h) + 90 min on 2 GPUs; embed: running for 30 min of its first hour. */
  static final List<LedgerEntry> ENTRIES =
      List.of(
          entry("c1", CHAT, 1, "2026-11-02T10:00:00Z", "2026-11-02T10:10:00Z"),
          entry("e1", EMBED, 1, "2026-11-10T11:30:00Z", null),
          entry("c2", CHAT, 2, "2026-11-03T10:00:00Z", "2026-11-03T11:30:00Z"),
          // Before the range: charges nothing in it, so it is left out.
          entry("old", CHAT, 1, "2026-10-01T10:00:00Z", "2026-10-01T10:10:00Z"));

  @Test
  void instancesAddUpToTheirDeploymentAndTheTotal() {
    UsageReport r = UsageReport.of(ENTRIES, Map.of(), null, FROM, TO, NOW);

    assertThat(r.instances())
        .extracting(UsageReport.InstanceUsage::instanceId)
        .containsExactly("c1", "e1", "c2");
    assertThat(r.deployments())
        .extracting(UsageReport.DeploymentUsage::deployment)
        .containsExactly("chat", "embed");
    UsageReport.DeploymentUsage chat = r.deployments().getFirst();
    assertThat(chat.instances()).isEqualTo(2);
    // 600 s + 2 × 5400 s ran; 3600 + 10 800 billed; the first one's 3000 s are the top-up.
    assertThat(chat.gpuSeconds()).isEqualTo(600 + 10_800);
    assertThat(chat.billedGpuSeconds()).isEqualTo(3600 + 10_800);
    assertThat(chat.minimumTopUpGpuSeconds()).isEqualTo(3000);
    assertThat(chat.costUsd()).isEqualByComparingTo("8.00");
    UsageReport.DeploymentUsage embed = r.deployments().get(1);
    assertThat(embed.gpuSeconds()).isEqualTo(1800);
    assertThat(embed.billedGpuSeconds()).isEqualTo(3600);
    assertThat(r.totalCostUsd()).isEqualByComparingTo("10.00");
    assertThat(r.instances().get(1).running()).isTrue();
    assertThat(r.instances().get(1).endedAt()).isNull();
  }

  /** Rounded once: three instances of 1 s past the hour cost 3 × 2.000555… = 6.0016… → 6.00. */
  @Test
  void theTotalIsTheExactSumRoundedOnce() {
    List<LedgerEntry> entries =
        List.of(
            entry("a", CHAT, 1, "2026-11-02T10:00:00Z", "2026-11-02T11:00:01Z"),
            entry("b", CHAT, 1, "2026-11-03T10:00:00Z", "2026-11-03T11:00:01Z"),
            entry("c", EMBED, 1, "2026-11-04T10:00:00Z", "2026-11-04T11:00:01Z"));
    UsageReport r = UsageReport.of(entries, Map.of(), null, FROM, TO, NOW);
    assertThat(r.totalCostUsd()).isEqualByComparingTo("6.00");
    assertThat(r.deployments().getFirst().costUsd()).isEqualByComparingTo("4.00");
    assertThat(r.instances().getFirst().costUsd()).isEqualByComparingTo("2.00");
  }

  @Test
  void idlePaidSecondsAreReadPerDeploymentAndAMalformedOneIsZero() {
    UsageReport r =
        UsageReport.of(
            ENTRIES,
            Map.of(CHAT.toString(), " 120.5 ", EMBED.toString(), "lots"),
            null,
            FROM,
            TO,
            NOW);
    assertThat(r.deployments().get(0).idlePaidSeconds()).isEqualByComparingTo("120.5");
    assertThat(r.deployments().get(1).idlePaidSeconds()).isEqualByComparingTo(BigDecimal.ZERO);
  }

  @Test
  void nothingChargedIsAnEmptyReport() {
    UsageReport r = UsageReport.of(List.of(), Map.of(), null, FROM, TO, NOW);
    assertThat(r.deployments()).isEmpty();
    assertThat(r.instances()).isEmpty();
    assertThat(r.totalCostUsd()).isEqualByComparingTo("0");
  }

  /**
   * The example body docs/api.md gives under {@code GET /api/v1/usage}, the reference for the
   * fields and their order.
   */
  static JsonNode documentedExample() throws IOException {
    String doc = Files.readString(Path.of("..", "docs", "api.md"));
    int section = doc.indexOf("### `GET /api/v1/usage`");
    int start = doc.indexOf("```json\n", section) + "```json\n".length();
    return JsonMapper.builder().build().readTree(doc.substring(start, doc.indexOf("```", start)));
  }

  /**
   * The body of GET /api/v1/usage: the fields (snake case, in the order docs/api.md documents) and
   * nulls kept.
   */
  @Test
  void itIsServedWithTheDocumentedFields() throws IOException {
    SpendLimitStatus limit =
        SpendLimitStatus.of(new Budget(YearMonth.of(2026, 11), 10_000_000, 10_000_000, 0));
    JsonNode json =
        JsonMapper.builder()
            .build()
            .valueToTree(
                UsageReport.of(ENTRIES, Map.of(CHAT.toString(), "7"), limit, FROM, TO, NOW));

    JsonNode documented = documentedExample();
    assertThat(json.propertyNames()).containsExactlyElementsOf(documented.propertyNames());
    assertThat(json.get("object").asString()).isEqualTo("usage");
    assertThat(json.get("from").asString()).isEqualTo("2026-11-01T00:00:00Z");
    assertThat(json.get("as_of").asString()).isEqualTo(NOW.toString());
    assertThat(json.get("currency").asString()).isEqualTo("USD");
    assertThat(json.get("total_cost_usd").decimalValue()).isEqualByComparingTo("10.00");
    assertThat(json.get("deployments").get(0).propertyNames())
        .containsExactlyElementsOf(documented.get("deployments").get(0).propertyNames());
    assertThat(json.get("deployments").get(0).get("deployment_id").asString())
        .isEqualTo(CHAT.toString());
    assertThat(json.get("deployments").get(0).get("idle_paid_seconds").decimalValue())
        .isEqualByComparingTo("7");
    assertThat(json.get("instances").get(0).propertyNames())
        .containsExactlyElementsOf(documented.get("instances").get(0).propertyNames());
    assertThat(json.get("instances").get(1).get("ended_at").isNull()).isTrue();
    assertThat(json.get("instances").get(0).get("rate_usd_per_gpu_hour").decimalValue())
        .isEqualByComparingTo("2.00");
    assertThat(json.get("spend_limit").propertyNames())
        .containsExactlyElementsOf(documented.get("spend_limit").propertyNames());
    assertThat(json.get("spend_limit").get("reached").asBoolean()).isTrue();
    assertThat(json.get("spend_limit").get("message").asString()).contains("$10.00", "2026-11");
  }

  @Test
  void withoutALimitTheSpendLimitIsNull() {
    JsonNode json =
        JsonMapper.builder()
            .build()
            .valueToTree(UsageReport.of(ENTRIES, Map.of(), null, FROM, TO, NOW));
    assertThat(json.has("spend_limit")).isTrue();
    assertThat(json.get("spend_limit").isNull()).isTrue();
  }
}
