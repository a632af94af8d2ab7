package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.gateway.model.hub.StandInHub;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The console's Models, Model and Deploy pages against the shared stack: importing from the
 * stand-in hub through the form and watching the status change live, what the hub supplies shown as
 * text, the model's page (rename, delete, 404 for another tenant's model), the deploy form's
 * hardware fit and cost estimate, deploying, and what a read-only key does not get.
 */
class ConsoleModelsIT {

  /** An architecture the hub supplies and the gateway keeps verbatim, with markup in it. */
  private static final String EVIL_ARCHITECTURE =
      "<img src=x onerror=alert(1)>&\"Evil\"ForCausalLM";

  private static ConsoleStack stack;
  private static ConsoleBrowser browser;
  private static String tenant;
  private static String key;

  @BeforeAll
  static void start() {
    stack = ConsoleStack.shared();
    tenant = stack.newTenantName("models");
    key = stack.tenant(tenant, ConsoleStack.ALL_TENANT_SCOPES);
    stack.hub.addSafetensorsRepo(
        "evil-org/Evil-Model", "main", EVIL_ARCHITECTURE, 1_000_000_000L, 1, true);
    stack.hub.addSafetensorsRepo(
        "big-org/Huge-400b", "main", "LlamaForCausalLM", 400_000_000_000L, 4, true);
    browser = ConsoleBrowser.open(stack.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  private static JsonNode model(String name) {
    return model(key, name);
  }

  private static JsonNode model(String apiKey, String name) {
    ApiClient.Response r = stack.api.get("/api/v1/models/" + name, apiKey);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private static String status(String name) {
    return model(name).get("status").asString();
  }

  private static By statusOf(String name) {
    return By.cssSelector("tr[data-name='" + name + "'] td.model-status");
  }

  private static void type(By by, String text) {
    WebElement input = browser.waitFor(by);
    input.clear();
    input.sendKeys(text);
  }

  private static void openAddForm() {
    browser.waitFor(By.id("add-model")).click();
    browser.waitFor(By.id("model-source"));
  }

  @Test
  void addingModelsThroughTheFormShowsThemImportingThenReadyWithoutReloading() {
    String formTenant = stack.newTenantName("models-form");
    String formKey = stack.tenant(formTenant, ConsoleStack.ALL_TENANT_SCOPES);
    browser.signIn(formKey);
    try {
      browser.go("models");
      assertThat(browser.heading()).isEqualTo("Models");
      browser.waitFor(By.cssSelector("#models-list .empty"));
      browser.script("window.zsNotReloaded = 'yes';");

      // A Hugging Face URL; the hub holds its answer so that the lookup is seen under way.
      openAddForm();
      type(By.id("model-source"), "https://huggingface.co/meta-llama/Llama-2-7b-hf");
      type(By.id("model-name"), "llama-url");
      new Select(browser.waitFor(By.id("model-family"))).selectByValue("llm");
      type(By.id("model-hf-token"), "hf_console_token");
      browser.screenshot("add-model");
      try (StandInHub.Gate gate = stack.hub.hold()) {
        browser.driver.findElement(By.id("add-model-submit")).click();
        browser.waitForText(statusOf("llama-url"), "importing");
        assertThat(model(formKey, "llama-url").get("status").asString()).isEqualTo("importing");
      }
      browser.waitForText(statusOf("llama-url"), "ready");
      JsonNode byUrl = model(formKey, "llama-url");
      assertThat(byUrl.get("status").asString()).isEqualTo("ready");
      assertThat(byUrl.get("has_hf_token").asBoolean()).isTrue();
      assertThat(
              browser.script(
                  "return [...document.querySelectorAll('input')]"
                      + ".some(i => i.value.includes('hf_console_token'))"))
          .isEqualTo(false);
      WebElement row = browser.waitFor(By.cssSelector("tr[data-name='llama-url']"));
      assertThat(row.getText()).contains("LlamaForCausalLM", "13.5 GB", "llm");

      // A repo id with a revision, sent as hf://org/repo@rev.
      openAddForm();
      type(By.id("model-source"), "meta-llama/Llama-2-7b-hf@main");
      type(By.id("model-name"), "llama-repo");
      new Select(browser.waitFor(By.id("model-family"))).selectByValue("llm");
      try (StandInHub.Gate gate = stack.hub.hold()) {
        browser.driver.findElement(By.id("add-model-submit")).click();
        browser.waitForText(statusOf("llama-repo"), "importing");
      }
      browser.waitForText(statusOf("llama-repo"), "ready");
      assertThat(model(formKey, "llama-repo").get("source").asString())
          .isEqualTo("hf://meta-llama/Llama-2-7b-hf@main");
      assertThat(browser.script("return window.zsNotReloaded")).isEqualTo("yes");
      assertThat(browser.all(By.cssSelector("#models-message .notice"))).isEmpty();

      // A source the API refuses: its message and field show in the form.
      openAddForm();
      type(By.id("model-source"), "org/repo@-bad");
      browser.driver.findElement(By.id("add-model-submit")).click();
      browser.waitForText(By.cssSelector("#add-model-form .notice-error"), "(field: source)");
      // The refused field is marked and has the focus.
      assertThat(browser.waitFor(By.id("model-source")).getDomAttribute("aria-invalid"))
          .isEqualTo("true");
      assertThat(browser.script("return document.activeElement.id")).isEqualTo("model-source");
      browser.waitFor(By.xpath("//button[normalize-space()='Cancel']")).click();

      assertThat(browser.all(By.cssSelector("#models-list tbody tr"))).hasSize(2);
      browser.screenshot("models");
    } finally {
      browser.signOut();
    }
  }

  @Test
  void markupTheHubSuppliesIsShownAsText() {
    browser.signIn(key);
    try {
      browser.go("models");
      openAddForm();
      type(By.id("model-source"), "evil-org/Evil-Model");
      browser.driver.findElement(By.id("add-model-submit")).click();
      browser.waitForText(statusOf("Evil-Model"), "ready");
      assertThat(model("Evil-Model").get("architecture").asString()).isEqualTo(EVIL_ARCHITECTURE);

      WebElement cell =
          browser.waitFor(By.cssSelector("tr[data-name='Evil-Model'] td.model-architecture"));
      assertThat(cell.getText()).isEqualTo(EVIL_ARCHITECTURE);
      assertThat(browser.all(By.cssSelector("#models-list img"))).isEmpty();
      assertThat(browser.all(By.cssSelector("#view img"))).isEmpty();

      browser.waitFor(By.linkText("Evil-Model")).click();
      browser.waitForText(By.id("model-architecture"), "ForCausalLM");
      assertThat(browser.waitFor(By.id("model-architecture")).getText())
          .isEqualTo(EVIL_ARCHITECTURE);
      assertThat(browser.all(By.cssSelector("#view img"))).isEmpty();
      browser.assertNoJavaScriptErrors();
    } finally {
      browser.signOut();
    }
  }

  @Test
  void anS3SourceIsSentWithItsEndpointAndCredentialsWhichAreNeverShown() {
    browser.signIn(key);
    try {
      browser.go("models");
      openAddForm();
      new Select(browser.waitFor(By.id("model-kind"))).selectByValue("s3");
      assertThat(browser.waitFor(By.id("model-s3-secret")).getAttribute("type"))
          .isEqualTo("password");
      assertThat(browser.driver.findElement(By.id("model-source")).isDisplayed()).isFalse();
      type(By.id("model-s3-source"), "s3://acme-models/llama/7b");
      type(By.id("model-s3-endpoint"), "http://127.0.0.1:9");
      type(By.id("model-s3-region"), "eu-west-1");
      type(By.id("model-s3-access-key-id"), "AKIACONSOLETEST");
      type(By.id("model-s3-secret"), "s3-console-secret");
      type(By.id("model-name"), "from-s3");
      browser.driver.findElement(By.id("add-model-submit")).click();
      // A loopback endpoint is refused by the import's address check: failed, with the reason.
      browser.waitForText(statusOf("from-s3"), "failed");
      JsonNode s3 = model("from-s3");
      assertThat(s3.get("source").asString()).isEqualTo("s3://acme-models/llama/7b");
      assertThat(s3.get("endpoint").asString()).isEqualTo("http://127.0.0.1:9");
      assertThat(s3.get("has_s3_credentials").asBoolean()).isTrue();
      String error = s3.get("error").asString();
      assertThat(browser.waitFor(statusOf("from-s3")).getText()).contains(error);
      assertThat(
              browser.script(
                  "return document.documentElement.outerHTML.includes('s3-console-secret')"
                      + " || [...document.querySelectorAll('input')]"
                      + ".some(i => i.value.includes('s3-console-secret'))"))
          .isEqualTo(false);
    } finally {
      browser.signOut();
    }
  }

  @Test
  void theModelPageShowsTheDetailsRenamesDeletesAndHidesOtherTenantsModels() {
    stack.api.importLlama7b(key, "detail-llama");
    JsonNode detail = model("detail-llama");
    String id = detail.get("id").asString();
    String otherTenant = stack.newTenantName("models-other");
    String otherKey = stack.tenant(otherTenant, "[\"deployments:write\"]");
    stack.api.importLlama7b(otherKey, "theirs");
    String otherId = stack.api.get("/api/v1/models/theirs", otherKey).json().get("id").asString();

    browser.signIn(key);
    try {
      browser.go("models/" + id);
      assertThat(browser.heading()).isEqualTo("detail-llama");
      browser.waitForText(By.id("model-status"), "ready");
      assertThat(browser.waitFor(By.id("model-architecture")).getText())
          .isEqualTo("LlamaForCausalLM");
      assertThat(browser.waitFor(By.id("model-size")).getText()).isEqualTo("13.5 GB");
      assertThat(browser.waitFor(By.id("model-revision")).getText()).isEqualTo("main");
      assertThat(browser.waitFor(By.id("model-sha")).getText())
          .isEqualTo(detail.get("sha").asString());
      assertThat(browser.waitFor(By.id("model-source")).getText())
          .isEqualTo("hf://meta-llama/Llama-2-7b-hf@main");
      assertThat(browser.waitFor(By.id("model-family")).getText()).isEqualTo("llm");

      type(By.id("rename-name"), "detail-renamed");
      browser.driver.findElement(By.id("rename-submit")).click();
      browser.waitForText(By.cssSelector("#view h1"), "detail-renamed");
      assertThat(model("detail-renamed").get("id").asString()).isEqualTo(id);
      assertThat(stack.api.get("/api/v1/models/detail-llama", key).status()).isEqualTo(404);

      browser.waitFor(By.id("deploy-model")).click();
      new WebDriverWait(browser.driver, Duration.ofSeconds(20))
          .until(ExpectedConditions.urlContains("/console/deploy?model=" + id));
      assertThat(browser.heading()).isEqualTo("Deploy a model");
      assertThat(
              new Select(browser.waitFor(By.id("deploy-model")))
                  .getFirstSelectedOption()
                  .getAttribute("value"))
          .isEqualTo(id);

      // Deleted from its page: back to the library, gone from the API.
      browser.go("models/" + id);
      browser.waitFor(By.id("delete-model")).click();
      browser.waitFor(By.cssSelector("dialog .confirm-yes")).click();
      new WebDriverWait(browser.driver, Duration.ofSeconds(20))
          .until(ExpectedConditions.urlToBe(stack.baseUrl() + "/console/models"));
      assertThat(stack.api.get("/api/v1/models/" + id, key).status()).isEqualTo(404);

      browser.go("models/" + otherId);
      assertThat(browser.heading()).isEqualTo("Page not found");
      browser.go("models/no-such-model");
      assertThat(browser.heading()).isEqualTo("Page not found");
    } finally {
      browser.signOut();
    }
  }

  @Test
  void aModelInUseIsNotDeletedAndTheRefusalIsShown() {
    stack.api.importLlama7b(key, "busy-llama");
    ApiClient.Response d =
        stack.api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"busy-chat\",\"model\":\"busy-llama\",\"gpu\":\"A100-80GB\"}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);

    browser.signIn(key);
    try {
      browser.go("models");
      browser.waitFor(By.cssSelector("tr[data-name='busy-llama'] .delete-model")).click();
      browser.waitFor(By.cssSelector("dialog .confirm-yes")).click();
      browser.waitForText(By.cssSelector("#models-message .notice-error"), "busy-chat");
      assertThat(status("busy-llama")).isEqualTo("ready");
      assertThat(browser.all(By.cssSelector("tr[data-name='busy-llama']"))).hasSize(1);
    } finally {
      browser.signOut();
    }
  }

  @Test
  void theDeployFormOffersWhatFitsEstimatesTheCostAndDeploys() {
    stack.api.importLlama7b(key, "deploy-llama");
    String id = model("deploy-llama").get("id").asString();
    ApiClient.Response huge =
        stack.api.post(
            "/api/v1/models",
            key,
            "{\"name\":\"huge\",\"source\":\"hf://big-org/Huge-400b\",\"family\":\"llm\"}");
    assertThat(huge.status()).as(huge.body()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(20)).until(() -> "ready".equals(status("huge")));

    browser.signIn(key);
    try {
      browser.go("deploy?model=" + id);
      assertThat(browser.heading()).isEqualTo("Deploy a model");
      Select modelSelect = new Select(browser.waitFor(By.id("deploy-model")));
      assertThat(modelSelect.getFirstSelectedOption().getAttribute("value")).isEqualTo(id);
      assertThat(browser.waitFor(By.id("deploy-model-name")).getAttribute("value"))
          .isEqualTo("deploy-llama");
      assertThat(
              new Select(browser.waitFor(By.id("deploy-family")))
                  .getFirstSelectedOption()
                  .getText())
          .isEqualTo("llm");
      browser.waitFor(By.cssSelector("#deploy-hardware tr[data-gpu='A100-80GB']"));

      // 7B fits everywhere on one GPU.
      assertThat(optionValues("deploy-gpu"))
          .containsExactly("L40S-48GB", "A100-80GB", "H100-80GB", "H200-141GB");
      Select gpu = new Select(browser.waitFor(By.id("deploy-gpu")));
      gpu.selectByValue("A100-80GB");
      new Select(browser.waitFor(By.id("deploy-num-gpus"))).selectByValue("1");
      assertThat(
              browser
                  .waitFor(By.cssSelector("#deploy-hardware tr[data-gpu='A100-80GB']"))
                  .getText())
          .contains("80 GB", "$2.00", "1, 2, 4, 8");
      browser.waitForText(By.id("estimate-max"), "$2.00/h");
      assertThat(estimate("estimate-max", ".estimate-label")).isEqualTo("At max instances (1)");
      assertThat(estimate("estimate-max", ".estimate-value")).isEqualTo("$2.00/h");
      assertThat(estimate("estimate-min", ".estimate-label")).isEqualTo("At min instances (0)");
      assertThat(estimate("estimate-min", ".estimate-value"))
          .isEqualTo("$0.00/h while scaled to zero");
      assertThat(estimate("estimate-instance", ".estimate-value"))
          .isEqualTo("$2.00/h (1 GPU × $2.00 per GPU-hour)");
      assertThat(browser.waitFor(By.id("estimate-start")).getText())
          .contains(
              "Each instance that starts is billed at least one hour: $2.00 per instance start");

      // Recomputed on every change: 2 × H100 ($2.50) at 1 to 3 instances.
      gpu.selectByValue("H100-80GB");
      new Select(browser.waitFor(By.id("deploy-num-gpus"))).selectByValue("2");
      type(By.id("deploy-max"), "3");
      type(By.id("deploy-min"), "1");
      browser.waitForText(By.id("estimate-max"), "$15.00/h");
      assertThat(estimate("estimate-max", ".estimate-value")).isEqualTo("$15.00/h");
      assertThat(estimate("estimate-min", ".estimate-label")).isEqualTo("At min instances (1)");
      assertThat(estimate("estimate-min", ".estimate-value")).isEqualTo("$5.00/h");
      assertThat(browser.waitFor(By.id("estimate-start")).getText())
          .contains("$5.00 per instance start");
      browser.script("window.scrollTo(0, 0)");
      browser.screenshot("deploy");

      // A 400 GB model: no L40S (8 × 48 GB is too little), A100 only with 8 GPUs.
      modelSelect.selectByValue(model("huge").get("id").asString());
      browser.waitForText(
          By.cssSelector("#deploy-hardware tr[data-gpu='L40S-48GB']"), "does not fit");
      assertThat(optionValues("deploy-gpu")).doesNotContain("L40S-48GB").contains("A100-80GB");
      new Select(browser.waitFor(By.id("deploy-gpu"))).selectByValue("A100-80GB");
      assertThat(optionValues("deploy-num-gpus")).containsExactly("8");
      assertThat(browser.waitFor(By.id("deploy-model-name")).getAttribute("value"))
          .isEqualTo("huge");

      // Back to 7B, one A100 at zero: a 422 first, then the deployment.
      modelSelect.selectByValue(id);
      browser.waitForText(By.cssSelector("#deploy-hardware .fit-summary"), "deploy-llama");
      new Select(browser.waitFor(By.id("deploy-gpu"))).selectByValue("A100-80GB");
      new Select(browser.waitFor(By.id("deploy-num-gpus"))).selectByValue("1");
      type(By.id("deploy-min"), "0");
      type(By.id("deploy-max"), "1");
      type(By.id("deploy-model-name"), "chat-ui");
      type(By.id("deploy-max-batch"), "5000");
      browser.waitForText(By.id("estimate-max"), "$2.00/h");
      browser.driver.findElement(By.id("deploy-submit")).click();
      browser.waitForText(By.cssSelector("#deploy-form .notice-error"), "max_batch_size");
      assertThat(browser.driver.switchTo().activeElement().getAttribute("id"))
          .isEqualTo("deploy-max-batch");
      assertThat(stack.api.get("/api/v1/deployments/chat-ui", key).status()).isEqualTo(404);

      type(By.id("deploy-max-batch"), "64");
      browser.driver.findElement(By.id("deploy-submit")).click();
      new WebDriverWait(browser.driver, Duration.ofSeconds(20))
          .until(ExpectedConditions.urlContains("/console/deployments/"));
      ApiClient.Response created = stack.api.get("/api/v1/deployments/chat-ui", key);
      assertThat(created.status()).as(created.body()).isEqualTo(200);
      JsonNode deployment = created.json();
      assertThat(browser.driver.getCurrentUrl())
          .isEqualTo(stack.baseUrl() + "/console/deployments/" + deployment.get("id").asString());
      assertThat(deployment.get("status").asString()).isEqualTo("scaled_to_zero");
      assertThat(deployment.get("model_id").asString()).isEqualTo(id);
      assertThat(deployment.get("gpu").asString()).isEqualTo("A100-80GB");
      assertThat(deployment.get("num_gpus").asInt()).isEqualTo(1);
      assertThat(deployment.get("max_batch_size").asInt()).isEqualTo(64);
      assertThat(deployment.get("settings").get("min_instances").asInt()).isZero();
      assertThat(deployment.get("settings").get("max_instances").asInt()).isEqualTo(1);
      assertThat(deployment.get("instances").get("desired").asInt()).isZero();
    } finally {
      browser.signOut();
    }
  }

  @Test
  void aReadOnlyKeySeesNoWriteControls() {
    stack.api.importLlama7b(key, "shown-llama");
    String id = model("shown-llama").get("id").asString();
    String readOnly = stack.key(tenant, "[\"deployments:read\"]");

    browser.signIn(readOnly);
    try {
      browser.go("models");
      browser.waitForText(statusOf("shown-llama"), "ready");
      assertThat(browser.all(By.id("add-model"))).isEmpty();
      assertThat(browser.all(By.cssSelector(".delete-model"))).isEmpty();

      browser.go("models/" + id);
      assertThat(browser.heading()).isEqualTo("shown-llama");
      browser.waitForText(By.id("model-status"), "ready");
      assertThat(browser.all(By.id("deploy-model"))).isEmpty();
      assertThat(browser.all(By.id("delete-model"))).isEmpty();
      assertThat(browser.all(By.id("rename-name"))).isEmpty();

      browser.go("deploy?model=" + id);
      assertThat(browser.heading()).isEqualTo("Deploy a model");
      browser.waitForText(By.cssSelector("#view .notice-info"), "deployments:write");
      assertThat(browser.all(By.id("deploy-form"))).isEmpty();
    } finally {
      browser.signOut();
    }
  }

  @Test
  void aKeyWithoutDeploymentsReadSeesANoticeInsteadOfTheLibrary() {
    stack.api.importLlama7b(key, "hidden-llama");
    String id = model("hidden-llama").get("id").asString();
    browser.signIn(stack.key(tenant, "[\"inference:*\",\"usage:read\"]"));
    try {
      browser.go("models");
      assertThat(browser.heading()).isEqualTo("Models");
      browser.waitForText(By.cssSelector("#view .notice-info"), "lacks deployments:read");
      assertThat(browser.all(By.cssSelector("#view .notice-error"))).isEmpty();
      assertThat(browser.all(By.id("models-list"))).isEmpty();
      assertThat(browser.all(By.id("add-model"))).isEmpty();

      browser.go("models/" + id);
      assertThat(browser.heading()).isEqualTo("Model");
      browser.waitForText(By.cssSelector("#view .notice-info"), "lacks deployments:read");
      assertThat(browser.all(By.cssSelector("#view .notice-error"))).isEmpty();
      assertThat(browser.all(By.id("model-details"))).isEmpty();
      browser.assertNoJavaScriptErrors();
    } finally {
      browser.signOut();
    }
  }

  private static String estimate(String line, String part) {
    return browser.waitFor(By.cssSelector("#" + line + " " + part)).getText();
  }

  private static List<String> optionValues(String selectId) {
    return new Select(browser.waitFor(By.id(selectId)))
        .getOptions().stream().map(o -> o.getAttribute("value")).toList();
  }
}
