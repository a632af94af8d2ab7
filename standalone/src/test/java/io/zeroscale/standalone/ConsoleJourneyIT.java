package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * A tenant's whole path through the console in one browser session, as issue #21 lists it: sign in
 * → add a model from the (stand-in) hub → deploy it at zero → a playground request that waits for
 * the cold start and streams its answer → the deployment's page shows the instance and a chart
 * point → edit max instances → usage shows the cost → create and revoke a key → delete the
 * deployment. Each step checks the server's state through the API as well as the page. The other
 * Console*IT classes test each page's details, refusals and scopes.
 */
class ConsoleJourneyIT {

  private static ConsoleStack stack;
  private static ConsoleBrowser browser;
  private static String key;

  @BeforeAll
  static void start() {
    stack = ConsoleStack.shared();
    key = stack.tenant(stack.newTenantName("journey"), ConsoleStack.ALL_TENANT_SCOPES);
    browser = ConsoleBrowser.open(stack.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void fromAddModelToDeletingTheDeployment() {
    browser.signIn(key);

    // Add a model from the hub.
    browser.go("models");
    browser.waitFor(By.id("add-model")).click();
    browser.waitFor(By.id("model-source")).sendKeys("meta-llama/Llama-2-7b-hf");
    WebElement name = browser.waitFor(By.id("model-name"));
    name.clear();
    name.sendKeys("journey-llama");
    browser.waitFor(By.id("add-model-submit")).click();
    browser.waitFor(
        By.cssSelector("#models-list tr[data-name='journey-llama'][data-status='ready']"));
    assertThat(stack.api.get("/api/v1/models/journey-llama", key).json().get("status").asString())
        .isEqualTo("ready");

    // Deploy it at zero, from the model's page.
    browser.waitFor(By.cssSelector("tr[data-name='journey-llama'] a.model-link")).click();
    browser.waitFor(By.id("deploy-model")).click();
    WebElement modelName = browser.waitFor(By.id("deploy-model-name"));
    modelName.clear();
    modelName.sendKeys("journey-chat");
    new Select(browser.waitFor(By.id("deploy-gpu"))).selectByValue("A100-80GB");
    browser.waitForText(By.id("deploy-estimate"), "$0.00/h while scaled to zero");
    browser.waitFor(By.id("deploy-submit")).click();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> browser.driver.getCurrentUrl().contains("/console/deployments/"));
    String id =
        browser
            .driver
            .getCurrentUrl()
            .substring(browser.driver.getCurrentUrl().lastIndexOf('/') + 1);
    ApiClient.Response created = stack.api.get("/api/v1/deployments/" + id, key);
    assertThat(created.json().get("model_name").asString()).isEqualTo("journey-chat");
    assertThat(created.json().get("settings").get("min_instances").asInt()).isZero();
    assertThat(created.json().get("instances").get("ready").asInt()).isZero();

    // The playground: the request waits for the cold start, then the answer streams in.
    browser.waitFor(By.id("open-playground")).click();
    browser.waitFor(By.id("playground-input"));
    browser.script(
        "window.__lengths = []; window.__waited = false;"
            + "const chat = document.getElementById('playground-chat');"
            + "new MutationObserver(() => {"
            + "  const all = chat.querySelectorAll('.msg-assistant');"
            + "  const n = all.length ? all[all.length - 1].textContent.length : 0;"
            + "  const seen = window.__lengths;"
            + "  if (n > 0 && seen[seen.length - 1] !== n) seen.push(n);"
            + "  if (chat.querySelector('.msg-meta.waiting')) window.__waited = true;"
            + "}).observe(chat, {subtree: true, childList: true, characterData: true});");
    browser.waitFor(By.id("playground-input")).sendKeys("Hello from the journey.");
    browser.waitFor(By.id("playground-send")).click();
    WebElement meta =
        new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, Duration.ofSeconds(60))
            .until(
                d ->
                    d
                        .findElements(By.cssSelector("#playground-chat .msg-meta[data-ttft-ms]"))
                        .stream()
                        .findFirst()
                        .orElse(null));
    assertThat(browser.script("return window.__waited;"))
        .as("the waiting indicator showed")
        .isEqualTo(true);
    assertThat(Long.parseLong(meta.getAttribute("data-cold-start-wait-ms"))).isPositive();
    assertThat(meta.getText()).contains("Cold start");
    @SuppressWarnings("unchecked")
    List<Long> lengths = (List<Long>) browser.script("return window.__lengths;");
    assertThat(lengths).as("the answer grew as tokens arrived").hasSizeGreaterThanOrEqualTo(2);

    // The deployment's page: the instance, and the request as a chart point.
    browser.go("deployments/" + id);
    browser.waitFor(
        By.cssSelector("#instances tr[data-state='idle'], #instances tr[data-state='processing']"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              String points = browser.waitFor(By.id("chart-requests")).getAttribute("data-points");
              return points != null && Integer.parseInt(points) >= 1;
            });

    // Edit max instances.
    WebElement max = browser.waitFor(By.id("setting-max_instances"));
    max.clear();
    max.sendKeys("2");
    browser.waitFor(By.id("settings-save")).click();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                stack
                        .api
                        .get("/api/v1/deployments/" + id, key)
                        .json()
                        .get("settings")
                        .get("max_instances")
                        .asInt()
                    == 2);

    // Usage: the instance's first hour, 1 × A100-80GB × $2.00.
    browser.go("usage");
    browser.waitForText(By.cssSelector("#usage-cost .value"), "$2.00", Duration.ofSeconds(30));
    browser.waitFor(By.cssSelector("#usage-deployments tr[data-deployment='journey-chat']"));

    // A key for an app: created (secret shown once, it works), then revoked.
    browser.go("keys");
    browser.waitFor(By.id("key-name")).sendKeys("journey-app");
    browser.waitFor(By.cssSelector("input[name=scope][value='inference:*']")).click();
    browser.waitFor(By.id("key-create")).click();
    String secret = browser.waitFor(By.cssSelector("#key-secret .secret code")).getText();
    assertThat(stack.api.get("/api/v1/me", secret).status()).isEqualTo(200);
    browser.waitFor(By.id("key-secret-done")).click();
    browser
        .waitFor(
            By.cssSelector(
                "#keys-list tr[data-name='journey-app'][data-status='active'] .key-revoke"))
        .click();
    browser.waitFor(By.cssSelector("dialog .confirm-yes")).click();
    browser.waitFor(
        By.cssSelector("#keys-list tr[data-name='journey-app'][data-status='revoked']"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> stack.api.get("/api/v1/me", secret).status() == 401);

    // Delete the deployment.
    browser.go("deployments/" + id);
    browser.waitFor(By.id("delete-deployment")).click();
    browser.waitFor(By.cssSelector("dialog .confirm-yes")).click();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> browser.driver.getCurrentUrl().endsWith("/console/deployments"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> stack.api.get("/api/v1/deployments/" + id, key).status() == 404);
    browser.assertNoJavaScriptErrors();
  }
}
