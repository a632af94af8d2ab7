package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.api.RedisSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Billing end to end: real instances (simulator processes) started by real traffic, the ledger
 * projected from their lifecycle events, draft invoices in JSON and CSV for the tenant and for
 * finance, finalizing a month and a late event landing on the next invoice, and the spend limit
 * refusing a wake-up with 402.
 */
class BillingIT {

  private static final String ADMIN = "bill-admin-" + "x".repeat(24);
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path tmp;
  private static StandaloneStack stack;
  private static EmbeddedPostgres pg;
  private static StandaloneProcess app;
  private static ApiClient api;
  private static RedissonClient redis;
  private static String finance;

  record Tenant(String id, String name, String key) {}

  private static Tenant a;
  private static Tenant b;
  private static Tenant poor;

  @BeforeAll
  static void start() throws Exception {
    stack =
        StandaloneStack.start(
            tmp,
            ADMIN,
            List.of(
                "--zeroscale.runtime.process.sim.startup-duration=1000ms",
                // The test scales deployments to zero itself, as the autoscaler would.
                "--zeroscale.autoscaler.enabled=false",
                "--zeroscale.activator.drain-settle=300ms",
                "--zeroscale.billing.project-interval=1s",
                "--zeroscale.billing.budget-refresh=1s"));
    app = stack.app;
    api = stack.api;
    pg = stack.pg;
    redis = stack.redis;

    a = tenant("bill-a", null);
    b = tenant("bill-b", null);
    poor = tenant("bill-poor", "1.00");
    ApiClient.Response f =
        api.post("/admin/v1/keys", ADMIN, "{\"name\":\"books\",\"scopes\":[\"finance\"]}");
    assertThat(f.status()).as(f.body()).isEqualTo(201);
    finance = f.json().get("secret").asString();
  }

  private static Tenant tenant(String name, String limit) {
    ApiClient.Response t =
        api.post(
            "/admin/v1/tenants",
            ADMIN,
            "{\"name\":\""
                + name
                + "\",\"gpu_quota\":8"
                + (limit == null ? "" : ",\"spend_limit_usd\":" + limit)
                + "}");
    assertThat(t.status()).as(t.body()).isEqualTo(201);
    ApiClient.Response k =
        api.post(
            "/admin/v1/tenants/" + name + "/keys",
            ADMIN,
            "{\"name\":\"k\",\"scopes\":[\"inference:*\",\"deployments:write\",\"usage:read\"]}");
    assertThat(k.status()).as(k.body()).isEqualTo(201);
    String key = k.json().get("secret").asString();
    api.importLlama7b(key, "llama7");
    return new Tenant(t.json().get("id").asString(), name, key);
  }

  @AfterAll
  static void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  private static String deploy(Tenant t, String name, int numGpus) {
    ApiClient.Response d =
        api.post(
            "/api/v1/deployments",
            t.key(),
            "{\"model_name\":\""
                + name
                + "\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\",\"num_gpus\":"
                + numGpus
                + ",\"settings\":{\"min_instances\":0,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    return d.json().get("id").asString();
  }

  private static ApiClient.Response chat(Tenant t, String model) {
    return api.post(
        "/v1/chat/completions",
        t.key(),
        "{\"model\":\""
            + model
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"bill me\"}],\"max_tokens\":3}");
  }

  /** Cold request (an instance boots), a few seconds of running, then scale to zero. */
  private static void runOnce(Tenant t, String model, String deploymentId) throws Exception {
    ApiClient.Response r = chat(t, model);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    // The leader heartbeats the instance while it holds GPUs (billing's proof of life).
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                count(
                        "SELECT count(*) FROM instance_heartbeats WHERE deployment_id = '"
                            + deploymentId
                            + "'")
                    == 1);
    // Let it run a little: billed runtime is a few seconds, the first hour is still the charge.
    await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> true);
    redis
        .<String, String>getMap(RedisSchema.DESIRED, StringCodec.INSTANCE)
        .put(deploymentId, "{\"replicas\":0,\"reason\":\"test\",\"at\":0}");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                count(
                        "SELECT count(*) FROM billing_instances WHERE deployment_id = '"
                            + deploymentId
                            + "' AND end_source = 'stopped'")
                    == 1);
  }

  private static JsonNode json(String body) {
    return JSON.readTree(body);
  }

  private static List<JsonNode> usageLines(JsonNode invoice) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode l : invoice.get("lines")) {
      if ("usage".equals(l.get("type").asString())) {
        out.add(l);
      }
    }
    return out;
  }

  @Test
  void draftInvoicesBillTheFirstHourPerStartForTheTenantAndFinanceOnly() throws Exception {
    String depA = deploy(a, "chat", 1);
    String depB = deploy(b, "chat2", 2);
    runOnce(a, "chat", depA);
    runOnce(b, "chat2", depB);
    String period = YearMonth.now(ZoneOffset.UTC).toString();

    JsonNode list = json(api.get("/api/v1/invoices?period=" + period, a.key()).body());
    assertThat(list.get("data")).hasSize(1);
    JsonNode inv = list.get("data").get(0);
    assertThat(inv.get("status").asString()).isEqualTo("draft");
    assertThat(inv.get("number").asString())
        .isEqualTo("INV-" + period.replace("-", "") + "-bill-a-001");
    List<JsonNode> lines = usageLines(inv);
    assertThat(lines).hasSize(1);
    JsonNode line = lines.getFirst();
    System.out.println("tenant A draft line: " + line);
    assertThat(line.get("deployment").asString()).isEqualTo("chat");
    assertThat(line.get("instances").asInt()).isEqualTo(1);
    assertThat(line.get("billed_gpu_hours").decimalValue()).isEqualByComparingTo("1");
    assertThat(line.get("rate_usd_per_gpu_hour").decimalValue()).isEqualByComparingTo("2.00");
    assertThat(line.get("amount_usd").decimalValue()).isEqualByComparingTo("2.00");
    long ran = line.get("gpu_seconds").asLong();
    assertThat(ran).isBetween(1L, 120L);
    assertThat(line.get("minimum_top_up_gpu_seconds").asLong()).isEqualTo(3600 - ran);
    assertThat(line.get("minimum_top_up_gpu_hours").decimalValue())
        .isGreaterThan(new BigDecimal("0.96"))
        .isLessThan(BigDecimal.ONE);

    // CSV (both ways of asking) matches the JSON to the cent.
    String number = inv.get("number").asString();
    ApiClient.Response csv = api.get("/api/v1/invoices/" + number + "?format=csv", a.key());
    assertThat(csv.status()).isEqualTo(200);
    assertThat(accept("/api/v1/invoices/" + number, a.key(), "text/csv")).isEqualTo(csv.body());
    String[] rows = csv.body().split("\r\n");
    assertThat(rows[0]).startsWith("number,tenant,period,status,currency,line_type");
    assertThat(rows).hasSize(1 + inv.get("lines").size());
    List<String> header = List.of(rows[0].split(","));
    for (int i = 1; i < rows.length; i++) {
      String[] f = rows[i].split(",");
      JsonNode l = inv.get("lines").get(i - 1);
      assertThat(f[header.indexOf("number")]).isEqualTo(number);
      assertThat(f[header.indexOf("tenant")]).isEqualTo("bill-a");
      assertThat(f[header.indexOf("period")]).isEqualTo(period);
      assertThat(new BigDecimal(f[header.indexOf("amount_usd")]))
          .isEqualTo(l.get("amount_usd").decimalValue());
      assertThat(new BigDecimal(f[header.indexOf("total_usd")]))
          .isEqualTo(inv.get("total_usd").decimalValue());
    }

    // Tenant B: 2 GPUs for a few seconds = 2 GPU-hours = $4.00; never A's lines.
    JsonNode invB = json(api.get("/api/v1/invoices?period=" + period, b.key()).body());
    assertThat(invB.get("data")).hasSize(1);
    List<JsonNode> linesB = usageLines(invB.get("data").get(0));
    assertThat(linesB).hasSize(1);
    assertThat(linesB.getFirst().get("billed_gpu_hours").decimalValue()).isEqualByComparingTo("2");
    assertThat(linesB.getFirst().get("amount_usd").decimalValue()).isEqualByComparingTo("4.00");
    assertThat(invB.toString()).doesNotContain(depA).doesNotContain("bill-a");
    assertThat(api.get("/api/v1/invoices/" + number, b.key()).status()).isEqualTo(404);

    // Finance sees every tenant; a tenant key may not.
    JsonNode all = json(api.get("/admin/v1/invoices?period=" + period, finance).body());
    List<String> tenants = new ArrayList<>();
    all.get("data").forEach(i -> tenants.add(i.get("tenant").asString()));
    assertThat(tenants).contains("bill-a", "bill-b");
    assertThat(api.get("/admin/v1/invoices?period=" + period, a.key()).status()).isEqualTo(403);
    String allCsv = api.get("/admin/v1/invoices?period=" + period + "&format=csv", finance).body();
    assertThat(allCsv).contains(depA).contains(depB);
    assertThat(allCsv.split("\r\n")[0]).startsWith("number,");

    // Usage: per deployment and instance.
    JsonNode usage = json(api.get("/api/v1/usage", a.key()).body());
    assertThat(usage.get("deployments").get(0).get("billed_gpu_seconds").asLong()).isEqualTo(3600);
    assertThat(usage.get("deployments").get(0).get("cost_usd").decimalValue())
        .isEqualByComparingTo("2.00");
    assertThat(usage.get("deployments").get(0).get("idle_paid_seconds").decimalValue())
        .isEqualByComparingTo("0");
    assertThat(usage.get("instances")).hasSize(1);
  }

  @Test
  void aFinalizedInvoiceNeverChangesAndALateEventIsAdjustedOnTheNextOne() throws Exception {
    String dep = deploy(a, "late", 1);
    YearMonth prev = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
    Instant day3 = prev.atDay(3).atTime(10, 0).toInstant(ZoneOffset.UTC);
    event("late-1", dep, a.id(), "scheduled", day3);
    event("late-1", dep, a.id(), "stopped", day3.plusSeconds(600));
    // A replay of the same events is a no-op (same event ids).
    event("late-1", dep, a.id(), "scheduled", day3);
    event("late-1", dep, a.id(), "stopped", day3.plusSeconds(600));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                count("SELECT count(*) FROM billing_instances WHERE instance_id = 'late-1'") == 1);

    ApiClient.Response fin = api.post("/admin/v1/invoices/" + prev + "/finalize", finance, null);
    assertThat(fin.status()).as(fin.body()).isEqualTo(200);
    JsonNode finals = json(fin.body());
    JsonNode mine = null;
    for (JsonNode i : finals.get("data")) {
      if (i.get("tenant").asString().equals("bill-a")) {
        mine = i;
      }
    }
    assertThat(mine).isNotNull();
    assertThat(mine.get("status").asString()).isEqualTo("final");
    assertThat(mine.get("total_usd").decimalValue()).isEqualByComparingTo("2.00");
    String number = mine.get("number").asString();
    String before = api.get("/api/v1/invoices/" + number, a.key()).body();
    String beforeCsv = api.get("/api/v1/invoices/" + number + "?format=csv", a.key()).body();

    // A late event for the closed month: 90 minutes on day 4.
    Instant day4 = prev.atDay(4).atTime(10, 0).toInstant(ZoneOffset.UTC);
    event("late-2", dep, a.id(), "stopped", day4.plusSeconds(5400)); // out of order
    event("late-2", dep, a.id(), "scheduled", day4);
    String current = YearMonth.now(ZoneOffset.UTC).toString();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                json(api.get("/api/v1/invoices?period=" + current, a.key()).body())
                    .get("data")
                    .get(0)
                    .get("lines")
                    .toString()
                    .contains("\"adjustment\""));
    assertThat(api.get("/api/v1/invoices/" + number, a.key()).body()).isEqualTo(before);
    assertThat(api.get("/api/v1/invoices/" + number + "?format=csv", a.key()).body())
        .isEqualTo(beforeCsv);
    // Finalizing again changes nothing.
    ApiClient.Response again = api.post("/admin/v1/invoices/" + prev + "/finalize", finance, null);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body()).isEqualTo(fin.body());

    JsonNode next =
        json(api.get("/api/v1/invoices?period=" + current, a.key()).body()).get("data").get(0);
    JsonNode adj = null;
    for (JsonNode l : next.get("lines")) {
      if ("adjustment".equals(l.get("type").asString())) {
        adj = l;
      }
    }
    assertThat(adj).isNotNull();
    System.out.println("adjustment line: " + adj);
    assertThat(adj.get("usage_period").asString()).isEqualTo(prev.toString());
    assertThat(adj.get("deployment").asString()).isEqualTo("late");
    assertThat(adj.get("billed_gpu_hours").decimalValue()).isEqualByComparingTo("1.5");
    assertThat(adj.get("amount_usd").decimalValue()).isEqualByComparingTo("3.00");
    // The current month cannot be finalized yet.
    assertThat(api.post("/admin/v1/invoices/" + current + "/finalize", finance, null).status())
        .isEqualTo(422);
  }

  @Test
  void aLimitBelowOneGpuHourRefusesTheWakeUpWith402AndNothingBootsOrIsBilled() throws Exception {
    String dep = deploy(poor, "cheap", 1);
    // Billing publishes the budget; the gateway mirrors it.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                redis
                    .<String, String>getMap(RedisSchema.BUDGETS, StringCodec.INSTANCE)
                    .containsKey(poor.id()));
    ApiClient.Response r = chat(poor, "cheap");
    assertThat(r.status()).as(r.body()).isEqualTo(402);
    assertThat(r.error().get("type").asString()).isEqualTo("insufficient_quota");
    assertThat(r.error().get("code").asString()).isEqualTo("spend_limit_reached");
    assertThat(r.error().get("message").asString())
        .contains("spend limit of $1.00 for " + YearMonth.now(ZoneOffset.UTC))
        .contains("$2.00");

    // Even asked directly (as the autoscaler would), the activator does not boot it.
    redis
        .<String, String>getMap(RedisSchema.DESIRED, StringCodec.INSTANCE)
        .put(dep, "{\"replicas\":1,\"reason\":\"test\",\"at\":0}");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                api.get("/api/v1/deployments/cheap", poor.key())
                    .json()
                    .get("reason")
                    .asString("")
                    .startsWith("spend limit reached"));
    // Nothing boots, for a while after the refusal either.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                count(
                        "SELECT count(*) FROM instance_events WHERE deployment_id = '"
                            + dep
                            + "' AND type = 'scheduled'")
                    == 0);
    assertThat(count("SELECT count(*) FROM billing_instances WHERE deployment_id = '" + dep + "'"))
        .isZero();
    JsonNode usage = json(api.get("/api/v1/usage", poor.key()).body());
    assertThat(usage.get("total_cost_usd").decimalValue()).isEqualByComparingTo("0");
    assertThat(usage.get("spend_limit").get("limit_usd").decimalValue())
        .isEqualByComparingTo("1.00");
    JsonNode inv = json(api.get("/api/v1/invoices", poor.key()).body()).get("data").get(0);
    assertThat(inv.get("lines")).isEmpty();
    assertThat(inv.get("total_usd").decimalValue()).isEqualByComparingTo("0");
  }

  /**
   * Issue #20: a tenant sets its own spend limit (under the administrator's ceiling of $50, which
   * it cannot raise) with a {@code billing:write} key, and a wake-up past it answers 402.
   */
  @Test
  void aTenantsOwnSpendLimitUnderTheAdminsCeilingRefusesTheWakeUpWith402() throws Exception {
    Tenant self = tenant("bill-self", "50.00");
    ApiClient.Response k =
        api.post(
            "/admin/v1/tenants/bill-self/keys",
            ADMIN,
            "{\"name\":\"owner\",\"scopes\":[\"usage:read\",\"billing:write\"]}");
    assertThat(k.status()).as(k.body()).isEqualTo(201);
    String owner = k.json().get("secret").asString();

    JsonNode before = json(api.get("/api/v1/billing/settings", self.key()).body());
    assertThat(before.get("spend_limit_usd").isNull()).isTrue();
    assertThat(before.get("spend_limit_ceiling_usd").decimalValue()).isEqualByComparingTo("50");
    assertThat(before.get("effective_spend_limit_usd").decimalValue()).isEqualByComparingTo("50");

    ApiClient.Response noScope =
        api.patch("/api/v1/billing/settings", self.key(), "{\"spend_limit_usd\":1.00}");
    assertThat(noScope.status()).as(noScope.body()).isEqualTo(403);
    assertThat(noScope.error().get("message").asString()).contains("billing:write");

    ApiClient.Response above =
        api.patch("/api/v1/billing/settings", owner, "{\"spend_limit_usd\":60}");
    assertThat(above.status()).as(above.body()).isEqualTo(422);
    assertThat(above.error().get("param").asString()).isEqualTo("spend_limit_usd");
    assertThat(above.error().get("message").asString()).contains("ceiling of $50.00");

    ApiClient.Response set =
        api.patch(
            "/api/v1/billing/settings",
            owner,
            "{\"spend_limit_usd\":1.00,\"alert_threshold_pct\":50}");
    assertThat(set.status()).as(set.body()).isEqualTo(200);
    assertThat(set.json().get("effective_spend_limit_usd").decimalValue())
        .isEqualByComparingTo("1.00");

    deploy(self, "own-limit", 1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                redis
                    .<String, String>getMap(RedisSchema.BUDGETS, StringCodec.INSTANCE)
                    .containsKey(self.id()));
    ApiClient.Response r = chat(self, "own-limit");
    assertThat(r.status()).as(r.body()).isEqualTo(402);
    assertThat(r.error().get("code").asString()).isEqualTo("spend_limit_reached");
    assertThat(r.error().get("message").asString())
        .contains("spend limit of $1.00 for " + YearMonth.now(ZoneOffset.UTC));

    JsonNode limit = json(api.get("/api/v1/usage", self.key()).body()).get("spend_limit");
    assertThat(limit.get("limit_usd").decimalValue()).isEqualByComparingTo("1.00");
    assertThat(limit.get("alert").get("threshold_pct").asInt()).isEqualTo(50);
    assertThat(limit.get("alert").get("threshold_usd").decimalValue()).isEqualByComparingTo("0.50");
    assertThat(limit.get("alert").get("reached").asBoolean()).isFalse();
  }

  // --- helpers ---

  private static String accept(String path, String key, String accept) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port + path))
            .header("Authorization", "Bearer " + key)
            .header("Accept", accept)
            .GET()
            .build();
    HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    return r.body();
  }

  private static void event(String instance, String dep, String tenant, String type, Instant at)
      throws Exception {
    UUID id = UUID.nameUUIDFromBytes((instance + "/" + type).getBytes());
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "INSERT INTO instance_events (event_id, instance_id, deployment_id, tenant_id, type,"
              + " occurred_at, gpu, num_gpus, runtime) VALUES ('"
              + id
              + "','"
              + instance
              + "','"
              + dep
              + "','"
              + tenant
              + "','"
              + type
              + "','"
              + at
              + "','A100-80GB',1,'process') ON CONFLICT (event_id) DO NOTHING");
    }
  }

  private static long count(String sql) throws Exception {
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
