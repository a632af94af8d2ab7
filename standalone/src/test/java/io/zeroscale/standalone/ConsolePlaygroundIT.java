package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The console's Playground and Usage & billing pages against the shared jar: a chat with a
 * deployment at zero streams its answer after a visible cold start, then the usage page shows what
 * that start cost, sets the spend limit and serves the month's invoice.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsolePlaygroundIT {

  private static final String MODEL = "chat";
  private static ConsoleStack stack;
  private static ConsoleBrowser browser;
  private static String tenant;
  private static String key;

  @BeforeAll
  static void start() {
    stack = ConsoleStack.shared();
    tenant = stack.newTenantName("play");
    key = stack.tenant(tenant, ConsoleStack.ALL_TENANT_SCOPES);
    stack.api.importLlama7b(key, "llama7");
    ApiClient.Response d =
        stack.api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\""
                + MODEL
                + "\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                + "\"settings\":{\"min_instances\":0,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    assertThat(d.json().get("status").asString()).isEqualTo("scaled_to_zero");
    browser = ConsoleBrowser.open(stack.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  /** The meta line of the last answer (null before the first message). */
  private static WebElement meta() {
    List<WebElement> metas = browser.all(By.cssSelector("#playground-chat .msg-meta"));
    return metas.isEmpty() ? null : metas.getLast();
  }

  @Test
  @Order(1)
  void aChatWithADeploymentAtZeroWaitsForTheInstanceThenStreamsTheAnswer() {
    browser.signIn(key);
    browser.go("playground?deployment=" + MODEL);
    assertThat(browser.heading()).isEqualTo("Playground");
    assertThat(browser.waitFor(By.id("playground-deployment")).getDomProperty("value"))
        .isEqualTo(MODEL);
    browser.waitForText(By.id("playground-status"), "Scaled to zero");
    assertThat(browser.waitFor(By.id("playground-status")).getText())
        .contains("first request starts an instance (cold start)");

    // The snippets: the base URL and the model, the key only as an environment variable.
    String snippets =
        (String)
            browser.script(
                "return [...document.querySelectorAll('#playground-snippets [data-snippet]')]"
                    + ".map(p => p.textContent).join('\\n----\\n')");
    assertThat(snippets)
        .contains(
            stack.baseUrl() + "/v1",
            "curl " + stack.baseUrl() + "/v1/chat/completions",
            "\"model\":\"" + MODEL + "\"",
            "model=\"" + MODEL + "\"",
            "model: \"" + MODEL + "\"",
            "os.environ[\"ZEROSCALE_API_KEY\"]",
            "process.env.ZEROSCALE_API_KEY",
            "$ZEROSCALE_API_KEY")
        .doesNotContain(key, key.substring(0, 12));

    browser.waitFor(By.cssSelector("#playground-form details.advanced summary")).click();
    browser.waitFor(By.id("playground-max-tokens")).sendKeys("30");
    // Records each text the waiting indicator shows and each length the answer passes through,
    // to prove that the one ticks and the other arrives in steps.
    browser.script(
        "window.__answerLengths = []; window.__waiting = [];"
            + "const chat = document.getElementById('playground-chat');"
            + "new MutationObserver(() => {"
            + "  const all = chat.querySelectorAll('.msg-assistant');"
            + "  const n = all.length ? all[all.length - 1].textContent.length : 0;"
            + "  const seen = window.__answerLengths;"
            + "  if (n > 0 && seen[seen.length - 1] !== n) seen.push(n);"
            + "  const wait = chat.querySelector('.msg-meta.waiting');"
            + "  const w = wait ? wait.textContent : null;"
            + "  if (w && !window.__waiting.includes(w)) window.__waiting.push(w);"
            + "}).observe(chat, {subtree: true, childList: true, characterData: true});");
    browser.waitFor(By.id("playground-input")).sendKeys("Tell me about cold starts.");
    browser.driver.findElement(By.id("playground-send")).click();

    // While the instance boots: the waiting indicator (its ticking is checked below).
    browser.waitForText(
        By.cssSelector("#playground-chat .msg-meta.waiting"), "Waiting for an instance…");
    assertThat(browser.waitFor(By.id("playground-stop")).isEnabled()).isTrue();
    // The ticking line is in no live region (the nearest one has announcements off).
    assertThat(
            browser.script(
                "const live = document.querySelector('#playground-chat .msg-meta')"
                    + ".closest('[aria-live], [role=status], [role=alert], [role=log]');"
                    + "return live === null || live.getAttribute('aria-live') === 'off';"))
        .isEqualTo(true);

    // The answer, then the meta line with the cold start wait and the tokens.
    new WebDriverWait(browser.driver, Duration.ofSeconds(60))
        .until(d -> meta() != null && meta().getDomAttribute("data-completion-tokens") != null);
    WebElement meta = meta();
    assertThat(meta.getDomAttribute("data-completion-tokens")).isEqualTo("30");
    assertThat(Long.parseLong(meta.getDomAttribute("data-cold-start-wait-ms"))).isPositive();
    assertThat(Long.parseLong(meta.getDomAttribute("data-ttft-ms")))
        .isGreaterThanOrEqualTo(Long.parseLong(meta.getDomAttribute("data-cold-start-wait-ms")));
    assertThat(meta.getText())
        .contains("Cold start wait", "first token after", "30 tokens")
        .doesNotContain("Waiting");
    // A status region announces the answer once (and said "Waiting for an instance" once).
    new WebDriverWait(browser.driver, Duration.ofSeconds(10))
        .until(
            d ->
                "Answer received"
                    .equals(
                        browser.script(
                            "return document.getElementById('playground-announce').textContent")));
    assertThat(browser.waitFor(By.id("playground-announce")).getDomAttribute("role"))
        .isEqualTo("status");
    String answer =
        browser.waitFor(By.cssSelector("#playground-chat .msg-assistant")).getText().trim();
    assertThat(answer.split("\\s+")).hasSize(30);
    assertThat(browser.waitFor(By.cssSelector("#playground-chat .msg-user")).getText())
        .isEqualTo("Tell me about cold starts.");

    @SuppressWarnings("unchecked")
    List<Long> lengths = (List<Long>) browser.script("return window.__answerLengths;");
    assertThat(lengths).as("the answer grew token by token").hasSizeGreaterThanOrEqualTo(2);
    assertThat(lengths).isSorted().doesNotHaveDuplicates();
    // The instance takes 3 s to boot: the indicator counted at least 0, 1 and 2 s meanwhile.
    @SuppressWarnings("unchecked")
    List<String> waiting = (List<String>) browser.script("return window.__waiting;");
    assertThat(waiting)
        .contains(
            "Waiting for an instance… 0 s",
            "Waiting for an instance… 1 s",
            "Waiting for an instance… 2 s");
    assertThat(browser.all(By.cssSelector("#playground-error .notice-error"))).isEmpty();
    assertThat(browser.waitFor(By.id("playground-stop")).isEnabled()).isFalse();

    // The request woke the deployment up: the server runs an instance now.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                stack
                        .api
                        .get("/api/v1/deployments/" + MODEL, key)
                        .json()
                        .get("instances")
                        .get("ready")
                        .asInt()
                    >= 1);
    browser.waitForText(By.id("playground-status"), "running");
    browser.script("window.scrollTo(0, 0)");
    browser.screenshot("playground");

    // Stop ends a long answer where it is, keeps what came, and the chat goes on; Clear empties it.
    WebElement maxTokens = browser.waitFor(By.id("playground-max-tokens"));
    maxTokens.clear();
    maxTokens.sendKeys("500");
    browser.waitFor(By.id("playground-input")).sendKeys("And warm starts?");
    browser.driver.findElement(By.id("playground-send")).click();
    new WebDriverWait(browser.driver, Duration.ofSeconds(20))
        .until(
            d ->
                browser.all(By.cssSelector("#playground-chat .msg-assistant")).size() == 2
                    && !browser
                        .all(By.cssSelector("#playground-chat .msg-assistant"))
                        .getLast()
                        .getText()
                        .isBlank());
    browser.driver.findElement(By.id("playground-stop")).click();
    browser.waitForText(By.cssSelector("#playground-chat .msg-meta:last-child"), "stopped");
    String partial =
        browser.all(By.cssSelector("#playground-chat .msg-assistant")).getLast().getText().trim();
    assertThat(partial.split("\\s+").length).isBetween(1, 499);
    assertThat(meta().getText()).doesNotContain("Cold start");
    assertThat(browser.waitFor(By.id("playground-send")).isEnabled()).isTrue();
    assertThat(browser.all(By.cssSelector("#playground-error .notice-error"))).isEmpty();
    browser.driver.findElement(By.id("playground-clear")).click();
    browser.waitForText(By.id("playground-chat"), "Send a message to start.");
    assertThat(browser.all(By.cssSelector("#playground-chat .msg"))).isEmpty();
    browser.assertNoJavaScriptErrors();
    browser.signOut();
  }

  @Test
  @Order(2)
  void theUsagePageShowsWhatTheStartCostSetsTheSpendLimitAndServesTheInvoice() {
    // The instance's first hour is billed at its start: 1 h × 1 GPU × $2.00.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              JsonNode deployments = stack.api.get("/api/v1/usage", key).json().get("deployments");
              return deployments.size() == 1
                  && deployments
                          .get(0)
                          .get("cost_usd")
                          .decimalValue()
                          .compareTo(new java.math.BigDecimal("2.00"))
                      == 0;
            });

    browser.signIn(key);
    browser.go("usage");
    assertThat(browser.heading()).isEqualTo("Usage & billing");
    browser.waitForText(By.cssSelector("#usage-cost .value"), "$2.00");
    WebElement row =
        browser.waitFor(By.cssSelector("#usage-deployments tr[data-deployment='" + MODEL + "']"));
    assertThat(row.getText()).contains(MODEL, "A100-80GB", "$2.00");
    assertThat(browser.waitFor(By.cssSelector("#usage-gpu-hours .value")).getText()).isEqualTo("1");
    browser.waitFor(By.cssSelector("#usage-deployments details summary")).click();
    assertThat(browser.all(By.cssSelector("#usage-deployments tr[data-instance]"))).hasSize(1);
    browser.waitForText(By.id("usage-spend-limit"), "No limit");

    // A limit the API refuses: its 422 is shown, nothing changes.
    WebElement limit = browser.waitFor(By.id("usage-spend-limit-input"));
    limit.sendKeys("-5");
    browser.driver.findElement(By.id("usage-spend-save")).click();
    browser.waitForText(By.cssSelector("#usage-spend-limit .notice-error"), "spend_limit_usd");
    assertThat(
            stack.api.get("/api/v1/billing/settings", key).json().get("spend_limit_usd").isNull())
        .isTrue();

    // An amount with a decimal comma is refused in the page (not read as 125): nothing is sent.
    limit = browser.waitFor(By.id("usage-spend-limit-input"));
    limit.clear();
    limit.sendKeys("12,5");
    browser.driver.findElement(By.id("usage-spend-save")).click();
    browser.waitForText(
        By.cssSelector("#usage-spend-limit .notice-error"),
        "Monthly spend limit must be an amount");
    assertThat(limit.getDomAttribute("aria-invalid")).isEqualTo("true");
    assertThat(browser.script("return document.activeElement.id"))
        .isEqualTo("usage-spend-limit-input");
    assertThat(
            stack.api.get("/api/v1/billing/settings", key).json().get("spend_limit_usd").isNull())
        .isTrue();

    limit = browser.waitFor(By.id("usage-spend-limit-input"));
    limit.clear();
    limit.sendKeys("25.50");
    browser.waitFor(By.id("usage-alert-input")).sendKeys("80");
    browser.driver.findElement(By.id("usage-spend-save")).click();
    browser.waitForText(By.cssSelector("#usage-spend-limit .notice-success"), "$25.50");
    JsonNode settings = stack.api.get("/api/v1/billing/settings", key).json();
    assertThat(settings.get("spend_limit_usd").decimalValue()).isEqualByComparingTo("25.50");
    assertThat(settings.get("alert_threshold_pct").asInt()).isEqualTo(80);
    assertThat(browser.waitFor(By.id("usage-spend-limit")).getText())
        .contains("Limit in force", "$25.50", "Within the limit");
    assertThat(browser.waitFor(By.cssSelector("#usage-remaining .value")).getText())
        .isEqualTo("$23.50");
    browser.script("window.scrollTo(0, 0)");
    browser.screenshot("usage");

    // The month's invoice (a draft: the month has charges).
    JsonNode invoices = stack.api.get("/api/v1/invoices", key).json().get("data");
    if (invoices.isEmpty()) {
      browser.waitForText(By.id("usage-invoices"), "No invoices yet");
    } else {
      String number = invoices.get(0).get("number").asString();
      WebElement invoice =
          browser.waitFor(By.cssSelector("#usage-invoices tr[data-number='" + number + "']"));
      assertThat(invoice.getText()).contains(number, "draft", "$2.00");
      invoice.findElement(By.cssSelector(".invoice-view")).click();
      browser.waitForText(By.id("usage-invoice"), "Line items");
      assertThat(browser.waitFor(By.id("usage-invoice")).getText())
          .contains("Invoice " + number, MODEL, "A100-80GB", "$2.00");

      // The CSV download: capture the Blob the page saves and the link's file name.
      browser.script(
          "window.__downloads = [];"
              + "const create = URL.createObjectURL;"
              + "URL.createObjectURL = (blob) => {"
              + "  const url = create.call(URL, blob); window.__downloads.push({url, blob});"
              + "  return url; };"
              + "HTMLAnchorElement.prototype.click = function () {"
              + "  const d = window.__downloads.find(x => x.url === this.href);"
              + "  if (d) d.name = this.download; };");
      invoice.findElement(By.cssSelector(".invoice-csv")).click();
      new WebDriverWait(browser.driver, Duration.ofSeconds(10))
          .until(
              d ->
                  Boolean.TRUE.equals(
                      browser.script(
                          "return window.__downloads.length === 1"
                              + " && window.__downloads[0].name !== undefined;")));
      assertThat(browser.script("return window.__downloads[0].name;")).isEqualTo(number + ".csv");
      String csv =
          (String)
              browser.driver.executeAsyncScript(
                  "const done = arguments[arguments.length - 1];"
                      + "window.__downloads[0].blob.text().then(done);");
      assertThat(csv)
          .startsWith("number,tenant,period,status,currency,line_type")
          .contains(number, tenant, MODEL, "A100-80GB");
    }
    browser.assertNoJavaScriptErrors();
    browser.signOut();
  }

  @Test
  @Order(3)
  void whatTheKeyMayDoDecidesWhatThePagesShow() {
    String narrow = stack.key(tenant, "[\"inference:*\",\"usage:read\"]");
    browser.signIn(narrow);
    // Without deployments:read the playground asks for the model name.
    browser.go("playground?deployment=" + MODEL);
    assertThat(browser.heading()).isEqualTo("Playground");
    assertThat(browser.waitFor(By.id("playground-model")).getDomProperty("value")).isEqualTo(MODEL);
    assertThat(browser.all(By.id("playground-deployment"))).isEmpty();
    assertThat(
            (String)
                browser.script(
                    "return document.querySelector('#playground-snippets [data-snippet=python]')"
                        + ".textContent"))
        .contains("model=\"" + MODEL + "\"")
        .doesNotContain(narrow.substring(0, 12));
    // An OpenAI error (here: a model the tenant does not have) is shown as such.
    WebElement name = browser.waitFor(By.id("playground-model"));
    name.clear();
    name.sendKeys("no-such-model");
    browser.waitFor(By.id("playground-input")).sendKeys("Hello?");
    browser.driver.findElement(By.id("playground-send")).click();
    browser.waitForText(By.cssSelector("#playground-error .notice-error"), "no-such-model");
    assertThat(browser.all(By.cssSelector("#playground-chat .msg-assistant"))).isEmpty();
    // Without billing:write the limit is shown, not changeable.
    browser.go("usage");
    browser.waitForText(By.id("usage-spend-limit"), "$25.50");
    assertThat(browser.all(By.id("usage-spend-limit-input"))).isEmpty();
    assertThat(browser.all(By.id("usage-spend-save"))).isEmpty();
    browser.signOut();

    // billing:write without usage:read: the limit can be set (the settings cannot be read).
    // (inference:* only gives the sidebar an entry to sign in to.)
    String setter = stack.key(tenant, "[\"billing:write\",\"inference:*\"]");
    browser.signIn(setter);
    browser.go("usage");
    browser.waitForText(By.cssSelector("#view .notice-info"), "usage:read");
    WebElement setLimit = browser.waitFor(By.id("usage-spend-limit-input"));
    assertThat(setLimit.getDomProperty("value")).isEmpty();
    setLimit.sendKeys("30");
    browser.driver.findElement(By.id("usage-spend-save")).click();
    browser.waitForText(By.cssSelector("#usage-spend-limit .notice-success"), "$30.00");
    JsonNode changed = stack.api.get("/api/v1/billing/settings", key).json();
    assertThat(changed.get("spend_limit_usd").decimalValue()).isEqualByComparingTo("30");
    assertThat(changed.get("alert_threshold_pct").asInt()).isEqualTo(80);
    assertThat(browser.waitFor(By.id("usage-spend-limit")).getText()).contains("$30.00");
    assertThat(browser.all(By.id("usage-stats"))).isEmpty();
    browser.assertNoJavaScriptErrors();
    browser.signOut();

    // A deployment the tenant does not have (another tenant's answers the same 404).
    browser.signIn(key);
    browser.go("playground?deployment=no-such-deployment");
    browser.waitForText(By.cssSelector("#view h1"), "Page not found");
    assertThat(browser.all(By.id("playground-chat"))).isEmpty();
    browser.signOut();
  }

  @Test
  @Order(4)
  void theDeployFormRefusesAnUnreadableNumberAndSendsTheEngineOptionsThatAreSet() {
    browser.signIn(key);
    browser.go("deploy?model=llama7");
    assertThat(browser.heading()).isEqualTo("Deploy a model");
    browser.waitFor(By.cssSelector("#deploy-hardware tr[data-gpu='A100-80GB']"));
    new WebDriverWait(browser.driver, Duration.ofSeconds(20))
        .until(d -> d.findElement(By.id("deploy-submit")).isEnabled());
    new Select(browser.waitFor(By.id("deploy-gpu"))).selectByValue("A100-80GB");
    WebElement name = browser.waitFor(By.id("deploy-model-name"));
    name.clear();
    name.sendKeys("engined");
    browser.waitFor(By.cssSelector("#deploy-engine summary")).click();
    browser.waitFor(By.id("deploy-engine-max-model-len")).sendKeys("4096");
    new Select(browser.waitFor(By.id("deploy-engine-tool-parser"))).selectByValue("hermes");
    new Select(browser.waitFor(By.id("deploy-engine-prefix-caching"))).selectByValue("true");

    // "1,5" max instances: refused in the page, nothing is created.
    WebElement max = browser.waitFor(By.id("deploy-max"));
    max.clear();
    max.sendKeys("1,5");
    browser.driver.findElement(By.id("deploy-submit")).click();
    browser.waitForText(By.cssSelector("#deploy-form .notice-error"), "Max instances");
    assertThat(max.getDomAttribute("aria-invalid")).isEqualTo("true");
    assertThat(stack.api.get("/api/v1/deployments/engined", key).status()).isEqualTo(404);

    max.clear();
    max.sendKeys("1");
    browser.driver.findElement(By.id("deploy-submit")).click();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> stack.api.get("/api/v1/deployments/engined", key).status() == 200);
    JsonNode engine = stack.api.get("/api/v1/deployments/engined", key).json().get("engine");
    assertThat(engine.get("max_model_len").asInt()).isEqualTo(4096);
    assertThat(engine.get("tool_call_parser").asString()).isEqualTo("hermes");
    assertThat(engine.get("enable_prefix_caching").asBoolean()).isTrue();
    assertThat(engine.has("dtype")).as("an option left at the default is not sent").isFalse();
    assertThat(engine.has("speculative")).isFalse();
    browser.assertNoJavaScriptErrors();
    browser.signOut();
    assertThat(stack.api.delete("/api/v1/deployments/engined", key).status()).isIn(200, 202, 204);
  }
}
