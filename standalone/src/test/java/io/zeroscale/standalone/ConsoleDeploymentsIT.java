package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The console's Deployments list and Deployment page against the shared stack: the list, a cold
 * start seen on the page (instance, requests chart, logs, events), editing settings, what a
 * read-only key sees, another tenant's id, and deleting.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleDeploymentsIT {

  private static ConsoleStack stack;
  private static ConsoleBrowser browser;
  private static String tenant;
  private static String key;
  private static String name;
  private static String id;

  @BeforeAll
  static void start() {
    stack = ConsoleStack.shared();
    tenant = stack.newTenantName("deps");
    key = stack.tenant(tenant, ConsoleStack.ALL_TENANT_SCOPES);
    stack.api.importLlama7b(key, "llama7");
    name = tenant + "-chat";
    ApiClient.Response created =
        stack.api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\""
                + name
                + "\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                + "\"settings\":{\"min_instances\":0,\"max_instances\":1}}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    id = created.json().get("id").asString();
    browser = ConsoleBrowser.open(stack.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  private static WebDriverWait waiting(int seconds) {
    return new WebDriverWait(browser.driver, Duration.ofSeconds(seconds));
  }

  private static JsonNode deployment() {
    ApiClient.Response d = stack.api.get("/api/v1/deployments/" + id, key);
    assertThat(d.status()).as(d.body()).isEqualTo(200);
    return d.json();
  }

  @Test
  @Order(1)
  void theListShowsTheDeploymentWithItsStatus() {
    browser.signIn(key);
    browser.go("deployments");
    assertThat(browser.heading()).isEqualTo("Deployments");
    WebElement row = browser.waitFor(By.cssSelector("#deployments-list tr[data-id='" + id + "']"));
    assertThat(row.getText()).contains(name, "scaled to zero", "llm", "A100-80GB × 1", "0–1");
    assertThat(browser.all(By.id("deploy-link"))).hasSize(1);
    browser.screenshot("deployments");

    row.findElement(By.cssSelector("a.deployment-link")).click();
    browser.waitForText(By.cssSelector("#view h1"), name);
    assertThat(browser.waitFor(By.id("deployment-status")).getText()).contains("scaled to zero");
    assertThat(browser.waitFor(By.id("open-playground")).getAttribute("href"))
        .endsWith("/console/playground?deployment=" + name);
    assertThat(browser.waitFor(By.id("instances")).getText()).contains("No instances");
  }

  @Test
  @Order(2)
  void aColdStartShowsItsInstanceChartsLogsAndEvents() {
    // The page is open while the deployment wakes up, and remembers the playground link's node.
    browser.go("deployments/" + id);
    browser.waitForText(By.cssSelector("#view h1"), name);
    browser.waitForText(By.id("deployment-status"), "scaled to zero");
    browser.script("window.__link = document.getElementById('open-playground');");

    ApiClient.Response chat =
        stack.api.post(
            "/v1/chat/completions",
            key,
            "{\"model\":\""
                + name
                + "\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
    assertThat(chat.status()).as(chat.body()).isEqualTo(200);

    WebElement instance =
        waiting(30)
            .until(
                d ->
                    d
                        .findElements(
                            By.cssSelector(
                                "#instances tr[data-state='idle'], #instances"
                                    + " tr[data-state='processing']"))
                        .stream()
                        .findFirst()
                        .orElse(null));
    String iid = instance.getAttribute("data-id");
    assertThat(stack.api.get("/api/v1/deployments/" + id + "/instances", key).body())
        .contains("\"id\":\"" + iid + "\"");
    browser.waitForText(By.id("deployment-status"), "running");
    // The refreshes redrew the page in place: the link on screen is still the same node, so a click
    // whose press and release straddle a refresh is not lost (it was, when a redraw replaced it).
    assertThat(
            browser.script(
                "return document.getElementById('open-playground') === window.__link"
                    + " && window.__link.isConnected;"))
        .as(
            "the playground link survived the refreshes: %s",
            browser.script(
                "const l = window.__link; return 'captured ' + (l === undefined ? 'nothing'"
                    + " : (l ? 'a link, connected ' + l.isConnected : 'null'))"
                    + " + '; on screen: ' + document.getElementById('deployment-facts')?.outerHTML;"))
        .isEqualTo(true);

    // The request is flushed to the series within 10 s and the charts reload every 15 s.
    waiting(60)
        .until(
            d ->
                Integer.parseInt(
                        d.findElement(By.id("chart-requests")).getDomAttribute("data-points"))
                    >= 1);
    assertThat(browser.all(By.cssSelector("#chart-requests canvas"))).isNotEmpty();
    // The canvas has a text alternative: the last point's values.
    WebElement requestsChart = browser.waitFor(By.id("chart-requests"));
    assertThat(requestsChart.getDomAttribute("role")).isEqualTo("img");
    assertThat(requestsChart.getDomAttribute("aria-label"))
        .startsWith("Requests per minute, last minute")
        .contains("2xx", "4xx", "5xx");
    for (String chart :
        new String[] {"chart-latency", "chart-ttft", "chart-tokens", "chart-instances"}) {
      assertThat(browser.waitFor(By.cssSelector("#" + chart + " h3")).getText()).isNotBlank();
    }

    // The scale-up, as the API lists it, is in the events table.
    JsonNode events =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> stack.api.get("/api/v1/deployments/" + id + "/events", key).json(),
                e -> e.get("data").toString().contains("\"type\":\"ready\""));
    browser.waitForText(By.id("events"), "Instance " + iid + " ready");
    for (JsonNode e : events.get("data")) {
      if ("scaling_event".equals(e.get("object").asString())) {
        browser.waitForText(
            By.id("events"), "Scaled " + e.get("from").asInt() + " → " + e.get("to").asInt());
      }
    }
    browser.screenshot("deployment");

    browser.waitFor(By.cssSelector("#instances tr[data-id='" + iid + "'] .logs-button")).click();
    browser.waitForText(By.id("logs"), "engine-sim listening on");
    browser.waitFor(By.id("logs-refresh")).click();
    browser.waitForText(By.id("logs"), "engine-sim listening on");
    assertThat(browser.waitFor(By.cssSelector("#logs-panel h3")).getText()).contains(iid);
  }

  @Test
  @Order(3)
  void theSettingsFormPatchesOnlyWhatChangedAndShowsRefusals() {
    browser.go("deployments/" + id);
    WebElement max = browser.waitFor(By.id("setting-max_instances"));
    assertThat(max.getDomProperty("value")).isEqualTo("1");
    max.clear();
    max.sendKeys("2");
    browser.waitFor(By.id("settings-save")).click();
    browser.waitForText(By.cssSelector("#settings-form .form-status"), "Saved: max_instances.");
    JsonNode settings = deployment().get("settings");
    assertThat(settings.get("max_instances").asInt()).isEqualTo(2);
    assertThat(settings.get("min_instances").asInt()).isZero();

    // min above max: the API's 422 is shown with its field, and nothing changes.
    WebElement min = browser.waitFor(By.id("setting-min_instances"));
    min.clear();
    min.sendKeys("5");
    browser.waitFor(By.id("settings-save")).click();
    WebElement error = browser.waitFor(By.cssSelector("#settings-form .notice-error"));
    assertThat(error.getText()).contains("field:").contains("instances");
    assertThat(deployment().get("settings").get("min_instances").asInt()).isZero();

    // A deployment that never changed has no revision to roll back to: 409 shown.
    browser.waitFor(By.id("rollback")).click();
    browser.waitFor(By.cssSelector("dialog .confirm-yes")).click();
    browser.waitFor(By.cssSelector("#revisions-status .notice-error"));
    assertThat(browser.waitFor(By.cssSelector("#revisions tr[data-revision='1']")).getText())
        .contains("active");
    assertThat(deployment().get("revision").asInt()).isEqualTo(1);

    // A hardware change is a new revision that rolls out; rolling back makes a third.
    browser.waitFor(By.cssSelector("#settings details.advanced summary")).click();
    WebElement batch = browser.waitFor(By.id("hw-max-batch-size"));
    batch.clear();
    batch.sendKeys("32");
    browser.waitFor(By.id("hw-submit")).click();
    browser.waitFor(By.cssSelector("dialog .confirm-yes")).click();
    browser.waitForText(
        By.cssSelector("#hardware-form .form-status"), "Revision 2 is rolling out.");
    JsonNode rolled = deployment();
    assertThat(rolled.get("revision").asInt()).isEqualTo(2);
    assertThat(rolled.get("max_batch_size").asInt()).isEqualTo(32);
    browser.waitForText(By.id("rollout"), "revision 1 → revision 2");
    assertThat(browser.waitFor(By.cssSelector("#revisions tr[data-revision='2']")).getText())
        .contains("max_batch_size", "batch 32");

    browser.waitFor(By.id("rollback")).click();
    browser.waitFor(By.cssSelector("dialog .confirm-yes")).click();
    browser.waitForText(By.id("revisions-status"), "revision 3");
    JsonNode back = deployment();
    assertThat(back.get("revision").asInt()).isEqualTo(3);
    assertThat(back.get("max_batch_size").asInt()).isEqualTo(64);
    browser.waitFor(By.cssSelector("#revisions tr[data-revision='3']"));
    waiting(20).until(d -> "64".equals(batch.getDomProperty("value")));
  }

  @Test
  @Order(4)
  void aReadOnlyKeySeesNoWriteControlsAndAnotherTenantsIdIsNotFound() {
    browser.signOut();
    browser.signIn(stack.key(tenant, "[\"deployments:read\"]"));
    browser.go("deployments");
    browser.waitFor(By.cssSelector("#deployments-list tr[data-id='" + id + "']"));
    assertThat(browser.all(By.id("deploy-link"))).isEmpty();

    browser.go("deployments/" + id);
    assertThat(browser.waitFor(By.id("settings-readonly")).getText()).contains("Max instances");
    browser.waitFor(By.cssSelector("#revisions tr[data-revision='1']"));
    assertThat(browser.all(By.id("settings-form"))).isEmpty();
    assertThat(browser.all(By.id("hardware-form"))).isEmpty();
    assertThat(browser.all(By.id("delete-deployment"))).isEmpty();
    assertThat(browser.all(By.id("rollback"))).isEmpty();
    browser.signOut();

    String other = stack.newTenantName("deps-other");
    browser.signIn(stack.tenant(other, "[\"deployments:read\"]"));
    browser.go("deployments/" + id);
    assertThat(browser.heading()).isEqualTo("Page not found");
    browser.go("deployments/no-such-deployment");
    assertThat(browser.heading()).isEqualTo("Page not found");
    browser.signOut();
  }

  @Test
  @Order(5)
  void anUnreadableNumberIsRefusedInThePageAndNothingIsSent() {
    browser.signIn(key);
    browser.go("deployments/" + id);
    int before = deployment().get("settings").get("max_instances").asInt();
    WebElement max = browser.waitFor(By.id("setting-max_instances"));
    assertThat(max.getDomProperty("value")).isEqualTo(String.valueOf(before));
    max.clear();
    max.sendKeys("3e"); // a number input's value is then '', as if it were empty
    browser.waitFor(By.id("settings-save")).click();
    browser.waitForText(By.cssSelector("#settings-form .notice-error"), "Max instances");
    assertThat(browser.waitFor(By.cssSelector("#settings-form .notice-error")).getText())
        .contains("Not a number")
        .contains("Nothing was saved");
    assertThat(max.getDomAttribute("aria-invalid")).isEqualTo("true");
    assertThat(browser.script("return document.activeElement.id"))
        .isEqualTo("setting-max_instances");
    assertThat(browser.all(By.cssSelector("#settings-form .notice-success"))).isEmpty();
    JsonNode settings = deployment().get("settings");
    assertThat(settings.get("max_instances").isNull()).isFalse();
    assertThat(settings.get("max_instances").asInt()).isEqualTo(before);
    browser.signOut();
  }

  @Test
  @Order(6)
  void theRolloutFormOffersPricedGpusAndSendsOnlyTheChangedEngineOption() {
    browser.signIn(key);
    JsonNode current = deployment();
    int revision = current.get("revision").asInt();
    assertThat(current.get("engine").has("enable_prefix_caching")).isFalse();
    browser.go("deployments/" + id);
    browser.waitFor(By.cssSelector("#settings details.advanced summary")).click();
    // The GPU types come from GET /api/v1/hardware?model=…: each with its price.
    WebElement gpuSelect = browser.waitFor(By.id("hw-gpu"));
    assertThat(gpuSelect.getText()).contains("A100-80GB (80 GB, $").contains("/GPU-hour");
    WebElement caching = browser.waitFor(By.id("hw-engine-enable-prefix-caching"));
    assertThat(caching.isSelected()).isFalse();
    assertThat(browser.all(By.cssSelector("#hw-engine label")))
        .extracting(WebElement::getText)
        .anyMatch(t -> t.startsWith("Max model length"));
    caching.click();
    browser.waitFor(By.id("hw-submit")).click();
    WebElement dialog = browser.waitFor(By.cssSelector("dialog.dialog"));
    assertThat(dialog.getText()).contains("engine.enable_prefix_caching");
    dialog.findElement(By.cssSelector(".confirm-yes")).click();
    browser.waitForText(
        By.cssSelector("#hardware-form .form-status"),
        "Revision " + (revision + 1) + " is rolling out.");
    JsonNode rolled = deployment();
    assertThat(rolled.get("revision").asInt()).isEqualTo(revision + 1);
    assertThat(rolled.get("engine").get("enable_prefix_caching").asBoolean()).isTrue();
    assertThat(rolled.get("max_batch_size").asInt())
        .isEqualTo(current.get("max_batch_size").asInt());
    JsonNode newest = stack.api.get("/api/v1/deployments/" + id + "/revisions", key).json();
    JsonNode latest = newest.get("data").get(0);
    assertThat(latest.get("revision").asInt()).isEqualTo(revision + 1);
    assertThat(latest.get("changed").toString()).isEqualTo("[\"engine\"]");
    browser.waitForText(
        By.cssSelector("#revisions tr[data-revision='" + (revision + 1) + "']"),
        "enable_prefix_caching=true");
    assertThat(browser.waitFor(By.id("hw-engine-enable-prefix-caching")).isSelected()).isTrue();
    browser.signOut();
  }

  @Test
  @Order(7)
  void aKeyWithoutDeploymentsReadSeesANoticeAndNoError() {
    browser.signIn(stack.key(tenant, "[\"inference:*\"]"));
    browser.go("deployments");
    assertThat(browser.heading()).isEqualTo("Deployments");
    browser.waitForText(By.cssSelector("#view .notice-info"), "lacks deployments:read");
    assertThat(browser.all(By.cssSelector("#view .notice-error"))).isEmpty();
    assertThat(browser.all(By.id("deployments-list"))).isEmpty();

    browser.go("deployments/" + id);
    assertThat(browser.heading()).isEqualTo("Deployment");
    browser.waitForText(By.cssSelector("#view .notice-info"), "lacks deployments:read");
    assertThat(browser.all(By.cssSelector("#view .notice-error"))).isEmpty();
    assertThat(browser.all(By.id("settings-form"))).isEmpty();
    browser.assertNoJavaScriptErrors();
    browser.signOut();
  }

  @Test
  @Order(8)
  void aDeploymentDeletedElsewhereEndsInTheNotFoundPage() {
    String other = tenant + "-gone";
    ApiClient.Response created =
        stack.api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\""
                + other
                + "\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                + "\"settings\":{\"min_instances\":0,\"max_instances\":1}}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String otherId = created.json().get("id").asString();
    browser.signIn(key);
    browser.go("deployments/" + otherId);
    browser.waitForText(By.cssSelector("#view h1"), other);
    browser.waitFor(By.cssSelector("#revisions tr[data-revision='1']"));
    ApiClient.Response deleted = stack.api.delete("/api/v1/deployments/" + otherId, key);
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> stack.api.get("/api/v1/deployments/" + otherId, key).status() == 404);
    browser.waitForText(By.cssSelector("#view h1"), "Page not found", Duration.ofSeconds(20));
    assertThat(browser.waitFor(By.cssSelector("#view .not-found")).getText())
        .contains("no longer exists");
    browser.assertNoJavaScriptErrors();
    browser.signOut();
  }

  @Test
  @Order(9)
  void deletingAsksForConfirmationAndReturnsToTheList() {
    browser.signIn(key);
    browser.go("deployments/" + id);
    browser.waitFor(By.id("delete-deployment")).click();
    WebElement dialog = browser.waitFor(By.cssSelector("dialog.dialog"));
    assertThat(dialog.getText()).contains(name);
    dialog.findElement(By.cssSelector(".confirm-yes")).click();
    waiting(20).until(d -> d.getCurrentUrl().endsWith("/console/deployments"));
    assertThat(browser.heading()).isEqualTo("Deployments");
    ApiClient.Response after = stack.api.get("/api/v1/deployments/" + id, key);
    assertThat(after.status() == 404 || after.body().contains("\"status\":\"deleting\""))
        .as(after.body())
        .isTrue();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> stack.api.get("/api/v1/deployments/" + id, key).status() == 404);
    waiting(20)
        .until(
            d ->
                d.findElements(By.cssSelector("#deployments-list tr[data-id='" + id + "']"))
                    .isEmpty());
    // The tenant has no deployment left: the empty state points to Models and Deploy.
    browser.waitForText(By.id("deployments-list"), "No deployments yet.");
    assertThat(browser.all(By.cssSelector("#deployments-list a[href='/console/models']")))
        .hasSize(1);
    assertThat(browser.all(By.cssSelector("#deployments-list a[href='/console/deploy']")))
        .hasSize(1);
    browser.signOut();
  }
}
