package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.api.RedisSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.client.codec.StringCodec;
import tools.jackson.databind.JsonNode;

/**
 * Issue #18, operator metrics, on the built jar: {@code /actuator/prometheus} (read with a platform
 * key that has only the {@code metrics} scope) is scraped during a cold start and a scale-down, and
 * each operator meter moves as it should: queue depth and held requests while a request waits for a
 * booting instance, the hold wait and both parts of the cold start once it is served, boots,
 * instances by phase, the drain and the stop of the scale-down, reconcile passes, both leader
 * gauges, the billing projector's lag, a rate-limit and a spend-limit refusal, and the fail-open
 * counters. Then every metric the Grafana dashboard queries must be in a live scrape.
 *
 * <p>No duration is asserted: only counts, presence and gauge values the test itself brought about.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorMetricsIT {

  private static final String ADMIN = "om-admin-" + "x".repeat(24);
  private static final String DEPLOYMENT = "ops/cold";

  @TempDir static Path tmp;
  private static StandaloneStack stack;
  private static ApiClient api;
  private static String key;
  private static String metricsKey;

  @BeforeAll
  static void start() throws Exception {
    stack =
        StandaloneStack.start(
            tmp,
            ADMIN,
            List.of(
                // Long enough to see the request held, short enough for a quick test.
                "--zeroscale.runtime.process.sim.startup-duration=4s",
                "--zeroscale.activator.drain-settle=300ms",
                "--zeroscale.autoscaler.tick=500ms",
                "--zeroscale.billing.project-interval=1s",
                "--zeroscale.billing.budget-refresh=1s"));
    api = stack.api;
    key =
        api.tenantWithKey(
            ADMIN, "ops", "[\"inference:*\",\"deployments:read\",\"deployments:write\"]");
    api.importLlama7b(key, "llama7");
    ApiClient.Response m =
        api.post("/admin/v1/keys", ADMIN, "{\"name\":\"prom\",\"scopes\":[\"metrics\"]}");
    assertThat(m.status()).as(m.body()).isEqualTo(201);
    metricsKey = m.json().get("secret").asString();
  }

  @AfterAll
  static void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void operatorMetricsMoveThroughAColdStartAndAScaleDown() throws Exception {
    ApiClient.Response d =
        api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"cold\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                + "\"max_batch_size\":4,\"settings\":{\"min_instances\":0,\"max_instances\":1,"
                // The shortest stable window (6 s): the autoscaler scales down only after a whole
                // window observed, so the default 60 s would set the scale-down below, not the
                // 30 s of idleness this test waits for.
                + "\"stable_window_s\":6,\"scale_to_zero_after_s\":30,"
                + "\"billing_aware_scale_down\":false}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);

    Scrape before = scrape();
    // Present from the start, 0 is fine: every fail-open path has its counter.
    assertThat(before.value("zeroscale_failopen_total", "dependency", "redis", "path", "ratelimit"))
        .isPresent();
    assertThat(
            before.value(
                "zeroscale_failopen_total", "dependency", "postgresql", "path", "key-cache"))
        .isPresent();
    assertThat(
            before.value("zeroscale_failopen_total", "dependency", "postgresql", "path", "budget"))
        .isPresent();
    assertThat(before.value("zeroscale_billing_projector_lag_seconds")).isPresent();
    assertThat(before.value("zeroscale_budget_refused_total", "stage", "boot")).isPresent();
    double boots = before.value("zeroscale_instance_boots_total").orElseThrow();
    double drains = before.sum("zeroscale_instance_drains_total");
    double stops = before.sum("zeroscale_instance_stops_total");
    double scaleDrains =
        before.value("zeroscale_instance_drains_total", "reason", "scale").orElseThrow();
    double drainedStops =
        before.value("zeroscale_instance_stops_total", "reason", "drained").orElseThrow();
    double passes = before.value("zeroscale_activator_pass_seconds_count").orElse(0);

    // A cold request: held while the instance boots (4 s).
    CompletableFuture<ApiClient.Response> cold =
        CompletableFuture.supplyAsync(() -> chat(key, "cold"));
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              Scrape s = scrape();
              return s.value("zeroscale_queue_depth", "deployment", DEPLOYMENT).orElse(0) >= 1
                  && s.value("zeroscale_queue_held", "deployment", DEPLOYMENT).orElse(0) >= 1;
            });
    ApiClient.Response r = cold.get();
    assertThat(r.status()).as(r.body()).isEqualTo(200);

    Scrape warm = scrape();
    assertThat(warm.value("zeroscale_queue_depth", "deployment", DEPLOYMENT)).hasValue(0.0);
    assertThat(warm.value("zeroscale_queue_held", "deployment", DEPLOYMENT)).hasValue(0.0);
    assertThat(warm.value("zeroscale_queue_wait_seconds_count", "deployment", DEPLOYMENT))
        .hasValue(1.0);
    assertThat(warm.value("zeroscale_coldstart_gateway_seconds_count", "deployment", DEPLOYMENT))
        .hasValue(1.0);
    assertThat(warm.value("zeroscale_coldstart_instance_seconds_count", "deployment", DEPLOYMENT))
        .hasValue(1.0);
    assertThat(warm.value("zeroscale_instance_boots_total")).hasValue(boots + 1);
    assertThat(warm.value("zeroscale_instances", "phase", "ready")).hasValue(1.0);
    assertThat(warm.value("zeroscale_activator_leader")).hasValue(1.0);
    assertThat(warm.value("zeroscale_autoscaler_leader")).hasValue(1.0);
    assertThat(warm.value("zeroscale_activator_pass_seconds_count").orElseThrow())
        .isGreaterThan(passes);
    // The autoscaler's gauges (they existed before #18) are there for the deployment too.
    assertThat(warm.value("zeroscale_autoscaler_desired", "deployment", DEPLOYMENT)).isPresent();
    assertThat(warm.value("zeroscale_autoscaler_actual", "deployment", DEPLOYMENT)).isPresent();
    assertThat(warm.value("zeroscale_autoscaler_demand", "deployment", DEPLOYMENT)).isPresent();

    // A second request finds the instance ready: no wait, no new cold start.
    assertThat(chat(key, "cold").status()).isEqualTo(200);
    Scrape again = scrape();
    assertThat(again.value("zeroscale_queue_wait_seconds_count", "deployment", DEPLOYMENT))
        .hasValue(1.0);
    assertThat(again.value("zeroscale_coldstart_gateway_seconds_count", "deployment", DEPLOYMENT))
        .hasValue(1.0);

    // Scale-down: idle for scale_to_zero_after_s (30 s), the instance drains, then stops.
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              Scrape s = scrape();
              return s.value("zeroscale_instances", "phase", "ready").orElse(-1) == 0
                  && s.sum("zeroscale_instance_stops_total") >= stops + 1;
            });
    Scrape down = scrape();
    assertThat(down.sum("zeroscale_instance_drains_total")).isEqualTo(drains + 1);
    assertThat(down.value("zeroscale_instance_drains_total", "reason", "scale"))
        .hasValue(scaleDrains + 1);
    assertThat(down.sum("zeroscale_instance_stops_total")).isEqualTo(stops + 1);
    assertThat(down.value("zeroscale_instance_stops_total", "reason", "drained"))
        .hasValue(drainedStops + 1);
    assertThat(down.value("zeroscale_instances", "phase", "draining")).hasValue(0.0);
    assertThat(down.value("zeroscale_instance_boots_total")).hasValue(boots + 1);
    assertThat(down.sum("zeroscale_instance_failures_total")).isZero();
  }

  @Test
  @Order(2)
  void refusalsForRateAndSpendLimitsAreCounted() {
    // Rate limit: a key allowed one request a minute; its second is refused (the model need not
    // exist: the limit is checked before the body is read).
    ApiClient.Response k =
        api.post(
            "/admin/v1/tenants/ops/keys",
            ADMIN,
            "{\"name\":\"slow\",\"scopes\":[\"inference:*\"],\"requests_per_minute\":1}");
    assertThat(k.status()).as(k.body()).isEqualTo(201);
    String slow = k.json().get("secret").asString();
    double limited =
        scrape().value("zeroscale_ratelimit_limited_total", "kind", "requests").orElse(0);
    assertThat(chat(slow, "nothing-here").status()).isEqualTo(404);
    assertThat(chat(slow, "nothing-here").status()).isEqualTo(429);
    assertThat(scrape().value("zeroscale_ratelimit_limited_total", "kind", "requests"))
        .hasValue(limited + 1);

    // Spend limit: a tenant whose limit ($1.00) cannot pay an A100's first hour is refused the
    // wake-up with 402.
    ApiClient.Response t =
        api.post(
            "/admin/v1/tenants",
            ADMIN,
            "{\"name\":\"poor\",\"gpu_quota\":8,\"spend_limit_usd\":1.00}");
    assertThat(t.status()).as(t.body()).isEqualTo(201);
    String tenantId = t.json().get("id").asString();
    ApiClient.Response pk =
        api.post(
            "/admin/v1/tenants/poor/keys",
            ADMIN,
            "{\"name\":\"k\",\"scopes\":[\"inference:*\",\"deployments:write\"]}");
    assertThat(pk.status()).as(pk.body()).isEqualTo(201);
    String poor = pk.json().get("secret").asString();
    api.importLlama7b(poor, "llama7");
    ApiClient.Response d =
        api.post(
            "/api/v1/deployments",
            poor,
            "{\"model_name\":\"cheap\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                + "\"settings\":{\"min_instances\":0,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    // Billing publishes the budget; the gateway mirrors it.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                stack
                    .redis
                    .<String, String>getMap(RedisSchema.BUDGETS, StringCodec.INSTANCE)
                    .containsKey(tenantId));
    double refused =
        scrape().value("zeroscale_budget_refused_total", "stage", "wakeup").orElseThrow();
    await().atMost(Duration.ofSeconds(10)).until(() -> chat(poor, "cheap").status() == 402);
    assertThat(scrape().value("zeroscale_budget_refused_total", "stage", "wakeup").orElseThrow())
        .isGreaterThanOrEqualTo(refused + 1);
  }

  /**
   * Every metric the dashboard queries is in a live scrape (after the test above made the
   * per-deployment meters exist): a renamed meter breaks this, not a dashboard in production.
   */
  @Test
  @Order(3)
  void everyDashboardExpressionNamesALiveMetric() throws Exception {
    Path file = dashboard();
    JsonNode dashboard = ApiClient.JSON.readTree(Files.readString(file));
    List<String> expressions = new ArrayList<>();
    collectExpressions(dashboard, expressions);
    assertThat(expressions).as("expressions in %s", file).hasSizeGreaterThan(10);
    Set<String> names = new TreeSet<>();
    Matcher m =
        Pattern.compile("\\b(zeroscale_[a-z0-9_]+)").matcher(String.join("\n", expressions));
    while (m.find()) {
      names.add(m.group(1));
    }
    assertThat(names).as("metrics the dashboard uses").hasSizeGreaterThan(15);
    Set<String> live = scrape().names();
    assertThat(live).containsAll(names);
    // And only Zeroscale's: no expression reads a metric of something else.
    for (String e : expressions) {
      Matcher any = Pattern.compile("\\b([a-z_:][a-z0-9_:]*)\\s*[{\\[]").matcher(e);
      while (any.find()) {
        String word = any.group(1);
        if (!Set.of("rate", "sum", "max", "increase", "by", "irate", "avg", "clamp_min")
            .contains(word)) {
          assertThat(word).as("metric in %s", e).startsWith("zeroscale_");
        }
      }
    }
  }

  private static void collectExpressions(JsonNode node, List<String> out) {
    if (node.isObject()) {
      JsonNode expr = node.get("expr");
      if (expr != null && expr.isString()) {
        out.add(expr.asString());
      }
      node.properties().forEach(e -> collectExpressions(e.getValue(), out));
    } else if (node.isArray()) {
      node.forEach(n -> collectExpressions(n, out));
    }
  }

  /** The chart's dashboard, from the module's directory or the repository root. */
  private static Path dashboard() {
    for (Path p :
        List.of(
            Path.of("charts/zeroscale/dashboards/zeroscale.json"),
            Path.of("../charts/zeroscale/dashboards/zeroscale.json"))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new AssertionError("charts/zeroscale/dashboards/zeroscale.json not found");
  }

  private static ApiClient.Response chat(String k, String model) {
    return api.post(
        "/v1/chat/completions",
        k,
        "{\"model\":\""
            + model
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}");
  }

  private static Scrape scrape() {
    ApiClient.Response r = api.get("/actuator/prometheus", metricsKey);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return Scrape.parse(r.body());
  }

  /** One Prometheus text page: samples by name, each with its labels. */
  record Scrape(Map<String, List<Map<String, String>>> labels, Map<String, List<Double>> values) {

    private static final Pattern SAMPLE =
        Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

    static Scrape parse(String page) {
      Map<String, List<Map<String, String>>> labels = new HashMap<>();
      Map<String, List<Double>> values = new HashMap<>();
      for (String line : page.split("\n")) {
        if (line.startsWith("#")) {
          continue;
        }
        Matcher m = SAMPLE.matcher(line);
        if (!m.find()) {
          continue;
        }
        Map<String, String> l = new HashMap<>();
        if (m.group(3) != null) {
          Matcher lm = LABEL.matcher(m.group(3));
          while (lm.find()) {
            l.put(lm.group(1), lm.group(2));
          }
        }
        labels.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(l);
        values
            .computeIfAbsent(m.group(1), k -> new ArrayList<>())
            .add(Double.parseDouble(m.group(4)));
      }
      return new Scrape(labels, values);
    }

    /** The value of the one sample of {@code name} with these labels (others may be present). */
    OptionalDouble value(String name, String... labelPairs) {
      List<Map<String, String>> ls = labels.getOrDefault(name, List.of());
      for (int i = 0; i < ls.size(); i++) {
        boolean match = true;
        for (int j = 0; j < labelPairs.length; j += 2) {
          match &= labelPairs[j + 1].equals(ls.get(i).get(labelPairs[j]));
        }
        if (match) {
          return OptionalDouble.of(values.get(name).get(i));
        }
      }
      return OptionalDouble.empty();
    }

    /** The sum over every sample of {@code name}. */
    double sum(String name) {
      return values.getOrDefault(name, List.of()).stream().mapToDouble(Double::doubleValue).sum();
    }

    Set<String> names() {
      return labels.keySet();
    }
  }
}
