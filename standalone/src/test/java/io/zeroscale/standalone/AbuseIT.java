package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Issue #13's attacks against the real jar, over real sockets on loopback: every refusal is a small
 * OpenAI-shaped 4xx, nothing answers 5xx or shows a stack trace, the log is not flooded, and the
 * app is healthy afterwards. The app runs with short limits so that the attacks end quickly: 2 s
 * for a request head or a silent body, 5 s for a whole body, a 64 MiB body budget (48 MiB per
 * tenant), and instances that take 10 minutes to boot, so every inference request is held.
 */
class AbuseIT {

  private static final String ADMIN = "abuse-admin-" + "a".repeat(32);
  private static final int BODY = 2_000_000;
  private static final long TENANT_BUDGET = 48L << 20;
  private static final long GATEWAY_BUDGET = 64L << 20;
  private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at \\S+\\(.*\\)$");

  @TempDir static Path tmp;
  private static StandaloneStack stack;
  private static StandaloneProcess app;
  private static ApiClient api;
  private static final List<String> keys = new ArrayList<>();

  private final List<RawHttp> open = new ArrayList<>();
  private int logLengthBefore;

  @BeforeAll
  static void start() throws Exception {
    stack =
        StandaloneStack.start(
            tmp,
            ADMIN,
            List.of(
                "--zeroscale.runtime.process.sim.startup-duration=600s",
                "--zeroscale.gateway.server.request-head-timeout=2s",
                "--zeroscale.gateway.server.body-idle-timeout=2s",
                "--zeroscale.gateway.server.body-timeout=5s",
                "--zeroscale.gateway.body-budget.gateway-bytes=" + GATEWAY_BUDGET,
                "--zeroscale.gateway.body-budget.tenant-bytes=" + TENANT_BUDGET,
                "--zeroscale.models.imports-per-hour=4"));
    app = stack.app;
    api = stack.api;
    for (String tenant : List.of("alpha", "beta")) {
      String key =
          api.tenantWithKey(
              ADMIN,
              tenant,
              "[\"inference:*\",\"deployments:read\",\"deployments:write\",\"usage:read\"]");
      keys.add(key);
      api.importLlama7b(key, "llama7");
      ApiClient.Response d =
          api.post(
              "/api/v1/deployments",
              key,
              "{\"model_name\":\"cold\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                  + "\"settings\":{\"min_instances\":0,\"max_instances\":1,"
                  + "\"activation_timeout_s\":3600,\"max_queued_requests\":1000}}");
      assertThat(d.status()).as(d.body()).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  @BeforeEach
  void markLog() {
    logLengthBefore = app.output().length();
  }

  /** After every attack: healthy, and the log has no stack trace of it. */
  @AfterEach
  void stillHealthyAndQuiet() throws IOException {
    for (RawHttp c : open) {
      c.close();
    }
    open.clear();
    assertThat(app.get("/actuator/health").orElseThrow().body()).isEqualTo("{\"status\":\"UP\"}");
    String log = app.output().substring(logLengthBefore);
    assertThat(STACK_FRAME.matcher(log).find()).as("a stack trace in the log:\n%s", log).isFalse();
  }

  // ---------------------------------------------------------------- held bytes

  @Test
  void heldBodiesAreBoundedPerTenantThenPerGatewayAndTheHeapStaysWithinTheBudget()
      throws Exception {
    long heapBefore = heapAfterGc();
    // Tenant alpha: 48 MiB hold 25 bodies of 2 000 000 bytes (50 000 000 ≤ 50 331 648).
    Outcome alpha = holdUntilRefused(keys.get(0), 40);
    assertThat(alpha.held()).isEqualTo(25);
    assertThat(alpha.refusal().status()).isEqualTo(429);
    assertThat(alpha.refusal().received().toLowerCase(Locale.ROOT)).contains("retry-after: 1");
    JsonNode tenantError = error(alpha.refusal());
    assertThat(tenantError.get("code").asString()).isEqualTo("too_many_request_bytes");
    assertThat(tenantError.get("message").asString()).contains("organization");
    // Tenant beta: the gateway's 64 MiB leave room for 8 more (17 108 864 bytes).
    Outcome beta = holdUntilRefused(keys.get(1), 40);
    assertThat(beta.held()).isEqualTo(8);
    assertThat(error(beta.refusal()).get("message").asString()).contains("server");
    assertThat(bodyBytes()).isEqualTo(33L * BODY);

    // Bodies are held once: the live heap grows by about what the budget admits, not twice that
    // (33 × 2 MB = 66 MB held; before the fix the chunk list stayed beside the joined array).
    long heapHeld = heapAfterGc();
    System.out.printf(
        "AbuseIT: heap after GC %d MiB before, %d MiB with 33 bodies of 2 MB held%n",
        heapBefore >> 20, heapHeld >> 20);
    assertThat(heapHeld - heapBefore).isLessThan(GATEWAY_BUDGET + (24L << 20));

    // Clients that give up free their bytes at once.
    for (RawHttp c : open) {
      c.close();
    }
    open.clear();
    await().atMost(Duration.ofSeconds(30)).until(() -> bodyBytes() == 0);
    assertThat(holdUntilRefused(keys.get(1), 1).held()).isEqualTo(1);
  }

  /** What {@link #holdUntilRefused} saw: requests held, and the first refusal. */
  record Outcome(int held, RawHttp refusal) {}

  /**
   * Sends up to {@code max} requests of {@link #BODY} bytes, one after the other; each is either
   * refused at once, from its head alone (admission happens before the body is read), or admitted,
   * which the budget gauge shows, and then held with its whole body.
   */
  private Outcome holdUntilRefused(String key, int max) throws Exception {
    byte[] body = chatBody(BODY);
    int held = 0;
    for (int i = 0; i < max; i++) {
      long before = bodyBytes();
      RawHttp c = new RawHttp(app.port);
      open.add(c);
      c.send(
          "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
              + key
              + "\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length
              + "\r\n\r\n");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !c.poll(50).isEmpty() || bodyBytes() >= before + BODY);
      if (!c.received().isEmpty()) {
        c.readToClose();
        return new Outcome(held, c);
      }
      c.send(body);
      held++;
    }
    return new Outcome(held, null);
  }

  private static byte[] chatBody(int size) {
    String head = "{\"model\":\"cold\",\"messages\":[{\"role\":\"user\",\"content\":\"";
    String tail = "\"}]}";
    return (head + "x".repeat(size - head.length() - tail.length()) + tail)
        .getBytes(StandardCharsets.US_ASCII);
  }

  // ---------------------------------------------------------------- slow and idle clients

  @Test
  void partialHeadersAreA408AndAnIdleConnectionIsClosed() throws Exception {
    try (RawHttp c = new RawHttp(app.port)) {
      c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthori");
      c.readToClose();
      assertThat(c.status()).isEqualTo(408);
      assertThat(error(c).get("code").asString()).isEqualTo("request_timeout");
    }
    try (RawHttp c = new RawHttp(app.port)) {
      assertThat(c.readToClose()).as("closed without an answer").isEmpty();
    }
  }

  @Test
  void aBodyThatNeverComesOrTricklesIsA408() throws Exception {
    try (RawHttp c = new RawHttp(app.port)) {
      c.send(inferenceHead(keys.get(0), 100) + "{\"model\":");
      c.readToClose();
      assertThat(c.status()).isEqualTo(408);
      assertThat(error(c).get("message").asString()).contains("no byte of the request body");
    }
    try (RawHttp c = new RawHttp(app.port)) {
      c.send(inferenceHead(keys.get(0), 1000));
      // One byte every 500 ms: never silent for 2 s, but 1000 bytes would take 500 s > 5 s.
      for (int i = 0; i < 1000 && c.poll(500).isEmpty(); i++) {
        c.send("x");
      }
      c.readToClose();
      assertThat(c.status()).isEqualTo(408);
      assertThat(error(c).get("message").asString()).contains("did not arrive within 5 s");
    }
  }

  // ---------------------------------------------------------------- malformed HTTP

  @Test
  void malformedHttpIsRefusedWithOpenAiBodies() throws Exception {
    int linesBefore = logLines();
    String key = keys.get(0);
    assertRefused("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-A: b\rc\r\n\r\n", 400);
    assertRefused(
        "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9 * 1024) + "\r\n\r\n", 431);
    assertRefused("GET /v1/models?" + "a".repeat(10 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414);
    assertRefused(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + key
            + "\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400);
    assertRefused(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + key
            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "zz\r\nabc\r\n",
        400);
    // Reactor Netty logs each decoding failure as one warning of a few lines: bounded, not a
    // stack trace per request.
    assertThat(logLines() - linesBefore)
        .as("log lines for 5 refusals")
        .isLessThanOrEqualTo(5 * 4 + 4);
  }

  private void assertRefused(String request, int status) throws IOException {
    try (RawHttp c = new RawHttp(app.port)) {
      c.send(request).readToClose();
      assertThat(c.status()).as(c.received()).isEqualTo(status);
      JsonNode e = error(c);
      assertThat(e.get("message").asString()).isNotBlank();
      assertThat(e.get("type").asString()).isEqualTo("invalid_request_error");
      assertThat(e.has("param")).isTrue();
      assertThat(e.get("code").isNull() || e.get("code").isString()).isTrue();
    }
  }

  // ---------------------------------------------------------------- hostile API input

  @Test
  void hugeOrNonFiniteNumbersAreSmall422s() {
    String key = keys.get(0);
    String base = "{\"model_name\":\"n\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\",\"settings\":";
    for (String utilization : List.of("\"1e-20000000\"", "1e400", "-1e400", "\"1e-2147483647\"")) {
      ApiClient.Response r =
          api.post(
              "/api/v1/deployments", key, base + "{\"target_utilization\":" + utilization + "}}");
      assertSmallError(r, 422);
      assertThat(r.error().get("param").asString()).isEqualTo("settings.target_utilization");
    }
    ApiClient.Response patch =
        api.patch(
            "/api/v1/deployments/cold",
            key,
            "{\"settings\":{\"target_utilization\":\"1e-2147483647\"}}");
    assertSmallError(patch, 422);
    ApiClient.Response limit =
        api.patch("/admin/v1/tenants/alpha", ADMIN, "{\"spend_limit_usd\":1e400}");
    assertSmallError(limit, 422);
    assertThat(limit.error().get("param").asString()).isEqualTo("spend_limit_usd");
  }

  @Test
  void lenientJsonAndOtherContentTypesAreRefused() {
    String key = keys.get(0);
    ApiClient.Response twice =
        api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"d\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                + "\"num_gpus\":1,\"num_gpus\":2}");
    assertSmallError(twice, 400);
    assertThat(twice.error().get("code").asString()).isEqualTo("invalid_json");
    ApiClient.Response text =
        api.send("POST", "/api/v1/deployments", key, "{\"model_name\":\"d\"}", "text/plain");
    assertSmallError(text, 415);
    assertThat(text.error().get("code").asString()).isEqualTo("unsupported_media_type");
    ApiClient.Response usage = api.get("/api/v1/usage?from=%2B999999999-01-01T00:00:00Z", key);
    assertSmallError(usage, 422);
    assertThat(usage.error().get("param").asString()).isEqualTo("from");
  }

  @Test
  void importsRefuseRevisionsThatLookLikeFlags() {
    ApiClient.Response r =
        api.post(
            "/api/v1/models",
            keys.get(0),
            "{\"name\":\"flag\",\"source\":\"hf://a/b@--trust-remote-code\"}");
    assertSmallError(r, 422);
    assertThat(r.error().get("param").asString()).isEqualTo("source");
  }

  @Test
  void pathTricksNeedAKeyAndNeverFail500() throws IOException {
    int linesBefore = logLines();
    for (String path :
        List.of(
            "/admin;x/v1/tenants",
            "/%61dmin/v1/tenants",
            "/api;a/v1/deployments",
            "/v1;x/models",
            "/actuator/prometheus",
            "/actuator/env",
            "/no/such/path")) {
      ApiClient.Response anonymous = api.get(path, null);
      assertSmallError(anonymous, 401);
    }
    for (String path : List.of("/v1/%zz", "/v1/%2e%2e/admin/v1/tenants")) {
      try (RawHttp c = new RawHttp(app.port)) {
        c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").readToClose();
        assertThat(c.status()).as(path).isEqualTo(400);
        error(c);
      }
    }
    ApiClient.Response tenantScrape = api.get("/actuator/prometheus", keys.get(0));
    assertSmallError(tenantScrape, 403);
    assertThat(api.get("/actuator/prometheus", ADMIN).status()).isEqualTo(200);
    assertThat(api.get("/admin;x/v1/tenants", ADMIN).status()).isEqualTo(200);
    assertThat(logLines() - linesBefore)
        .as("log lines for 12 requests")
        .isLessThanOrEqualTo(12 * 4 + 4);
  }

  /** Runs last among the API checks: it leaves 127.0.0.1 throttled for a moment. */
  @Test
  void guessedKeysAreThrottledPerAddressAndTheLogStaysQuiet() {
    int linesBefore = logLines();
    int refused = 0;
    int throttled = 0;
    long started = System.nanoTime();
    for (int i = 0; i < 40 && throttled == 0; i++) {
      ApiClient.Response r = api.get("/v1/models", "zs-guess" + i + "x".repeat(40));
      if (r.status() == 429) {
        throttled++;
        assertSmallError(r, 429);
        assertThat(r.error().get("code").asString()).isEqualTo("rate_limit_exceeded");
      } else {
        assertSmallError(r, 401);
        refused++;
      }
    }
    assertThat(throttled).as("throttled after %d refusals", refused).isEqualTo(1);
    // 20 failures at once, and the bucket refills one every 500 ms (20 per 10 s): a slow
    // machine that takes longer over these requests earns that many more.
    long refills = (System.nanoTime() - started) / 500_000_000L;
    assertThat(refused).isBetween(1, 20 + (int) refills);
    assertThat(logLines() - linesBefore)
        .as("log lines for %d refused keys", refused + throttled)
        .isLessThanOrEqualTo(4 * (refused + throttled) + 4);
    // A key this gateway already verified still works from the throttled address.
    assertThat(api.get("/v1/models", keys.get(0)).status()).isEqualTo(200);
    // The window passes (10 s): the admin key, which is never cached, works again.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> api.get("/admin/v1/tenants", ADMIN).status() == 200);
  }

  @Test
  void theOfficialSdkReadsEveryErrorItGets() {
    com.openai.client.OpenAIClient good = sdk(keys.get(0));
    List<Runnable> calls =
        List.of(
            () -> sdk("zs-" + "n".repeat(40)).models().list(),
            () ->
                good.chat()
                    .completions()
                    .create(
                        com.openai.models.chat.completions.ChatCompletionCreateParams.builder()
                            .model("nope")
                            .addUserMessage("x")
                            .build()),
            () ->
                good.embeddings()
                    .create(
                        com.openai.models.embeddings.EmbeddingCreateParams.builder()
                            .model("cold")
                            .input("x")
                            .build()),
            () ->
                good.chat()
                    .completions()
                    .create(
                        com.openai.models.chat.completions.ChatCompletionCreateParams.builder()
                            .model("cold")
                            .addUserMessage("x".repeat(3_000_000))
                            .build()));
    List<Integer> statuses = new ArrayList<>();
    for (Runnable call : calls) {
      com.openai.errors.OpenAIServiceException e =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              com.openai.errors.OpenAIServiceException.class, call::run);
      assertThat(e).isNotNull();
      statuses.add(e.statusCode());
      assertThat(e.type()).as("type of the %d", e.statusCode()).isPresent();
      assertThat(e.code()).as("code of the %d", e.statusCode()).isPresent();
      assertThat(e.getMessage()).doesNotContain("Exception");
    }
    assertThat(statuses).containsExactly(401, 404, 400, 413);
  }

  private static com.openai.client.OpenAIClient sdk(String key) {
    return com.openai.client.okhttp.OpenAIOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + app.port + "/v1")
        .apiKey(key)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(60))
        .build();
  }

  /** A small OpenAI-shaped refusal: the status, the four fields, no internals. */
  private static void assertSmallError(ApiClient.Response r, int status) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.body().length()).as("a small answer: %s", r.body()).isLessThan(1000);
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    JsonNode e = r.error();
    assertThat(e).as(r.body()).isNotNull();
    assertThat(e.has("message") && e.has("type") && e.has("param") && e.has("code")).isTrue();
    assertThat(e.get("code").isNull() || e.get("code").isString()).isTrue();
  }

  @Test
  void anAdminKeyShorterThan32CharactersRefusesToStart() throws Exception {
    StandaloneProcess weak =
        StandaloneProcess.start(
            tmp.resolve("weak"), java.util.Map.of("ZEROSCALE_ADMIN_KEY", "weak-secret-42"));
    try {
      assertThat(weak.process.waitFor(90, java.util.concurrent.TimeUnit.SECONDS))
          .as("exits by itself")
          .isTrue();
      assertThat(weak.process.exitValue()).isNotZero();
      assertThat(weak.output())
          .contains("ZEROSCALE_ADMIN_KEY")
          .contains("at least 32 characters")
          .as("the key itself is never printed")
          .doesNotContain("weak-secret-42");
    } finally {
      weak.close();
    }
  }

  @Test
  void importsFollowNoRedirectOffTheHubAndAreRateLimitedPerTenant() {
    String beta = keys.get(1);
    // A hub answer that points at the cloud metadata address: not followed.
    stack.hub.redirectTo("evil/model", "http://169.254.169.254/latest/meta-data/");
    assertThat(
            api.post("/api/v1/models", beta, "{\"name\":\"evil\",\"source\":\"hf://evil/model\"}")
                .status())
        .isEqualTo(202);
    JsonNode evil =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> api.get("/api/v1/models/evil", beta).json(),
                m -> !"importing".equals(m.get("status").asString()));
    assertThat(evil.get("status").asString()).isIn("unverified", "failed");
    assertThat(evil.get("error").asString())
        .contains("redirect")
        .doesNotContain("Exception")
        .doesNotContain("java.");
    // imports-per-hour is 4 here: beta used 2 (llama7 at set-up, evil); 2 more, then 429.
    List<Integer> statuses = new ArrayList<>();
    ApiClient.Response last = null;
    for (int i = 0; i < 3; i++) {
      last =
          api.post(
              "/api/v1/models",
              beta,
              "{\"name\":\"again" + i + "\",\"source\":\"hf://meta-llama/Llama-2-7b-hf\"}");
      statuses.add(last.status());
    }
    assertThat(statuses).containsExactly(202, 202, 429);
    assertSmallError(last, 429);
    assertThat(last.error().get("code").asString()).isEqualTo("rate_limit_exceeded");
  }

  // ---------------------------------------------------------------- helpers

  private static int logLines() {
    return (int) app.output().lines().count();
  }

  private static String inferenceHead(String key, int contentLength) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + key
        + "\r\nContent-Type: application/json\r\nContent-Length: "
        + contentLength
        + "\r\n\r\n";
  }

  private static JsonNode error(RawHttp c) {
    String body = c.body();
    assertThat(body).as(c.received()).startsWith("{\"error\":");
    assertThat(body.length()).as("a small answer").isLessThan(1000);
    assertThat(STACK_FRAME.matcher(body).find()).isFalse();
    return ApiClient.JSON.readTree(body).get("error");
  }

  /** The gateway's request-body budget in use, from its metrics. */
  private static long bodyBytes() {
    String page = api.get("/actuator/prometheus", ADMIN).body();
    Matcher m =
        Pattern.compile("(?m)^zeroscale_gateway_body_bytes(?:\\{[^}]*})? (\\S+)$").matcher(page);
    assertThat(m.find()).as("the body-budget gauge in:\n%s", page).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  /** The app's heap in use after a full GC, from {@code jcmd}. */
  private static long heapAfterGc() throws Exception {
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
    assertThat(m.find()).as(info).isTrue();
    return Long.parseLong(m.group(1)) * 1024;
  }

  private static String jcmd(String command) throws Exception {
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    Process p =
        new ProcessBuilder(
                java.resolveSibling("jcmd").toString(), Long.toString(app.process.pid()), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }
}
