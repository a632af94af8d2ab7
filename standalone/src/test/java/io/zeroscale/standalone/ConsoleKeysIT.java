package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The console's API keys page (a tenant managing its own keys) and the platform's views (tenants
 * and invoices, with the admin key), in the browser against the shared stack.
 */
class ConsoleKeysIT {

  private static ConsoleStack stack;
  private static ConsoleBrowser browser;
  private static String tenant;
  private static String writer;

  @BeforeAll
  static void start() {
    stack = ConsoleStack.shared();
    tenant = stack.newTenantName("keys");
    writer = stack.tenant(tenant, ConsoleStack.ALL_TENANT_SCOPES);
    // A deployment (never called, so it costs nothing): the key form offers inference:<its name>.
    stack.api.importLlama7b(writer, "llama7");
    ApiClient.Response d =
        stack.api.post(
            "/api/v1/deployments",
            writer,
            "{\"model_name\":\"chat\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\",\"num_gpus\":1,"
                + "\"settings\":{\"min_instances\":0,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    browser = ConsoleBrowser.open(stack.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  private static WebElement find(String css) {
    return browser.waitFor(By.cssSelector(css));
  }

  private static void click(String css) {
    new WebDriverWait(browser.driver, Duration.ofSeconds(20))
        .until(ExpectedConditions.elementToBeClickable(By.cssSelector(css)))
        .click();
  }

  private static void type(String css, String text) {
    WebElement input = find(css);
    input.clear();
    input.sendKeys(text);
  }

  /** Waits until the one-time secret box shows a secret other than {@code other}; answers it. */
  private static String newSecret(String css, String other) {
    // The box may be replaced while it is read (a new secret after an older one): read again.
    return new WebDriverWait(browser.driver, Duration.ofSeconds(20))
        .ignoring(StaleElementReferenceException.class)
        .until(
            d -> {
              List<WebElement> codes = d.findElements(By.cssSelector(css + " .secret code"));
              if (codes.isEmpty()) {
                return null;
              }
              String text = codes.get(0).getText();
              return text.startsWith("zs-") && !text.equals(other) ? text : null;
            });
  }

  private static int meStatus(String key) {
    return stack.api.get("/api/v1/me", key).status();
  }

  private static List<String> scopes(String key) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : stack.api.get("/api/v1/me", key).json().get("scopes")) {
      out.add(s.asString());
    }
    return out;
  }

  @Test
  void aKeyWithKeysWriteCreatesRotatesAndRevokesAKey() {
    browser.signIn(writer);
    browser.go("keys");
    assertThat(browser.heading()).isEqualTo("API keys");
    // The signed-in key is marked, and the form offers what it holds plus one per deployment.
    find("#keys-list tr .this-key");
    find("#key-create-form input[name=scope][value='inference:chat']");
    assertThat(browser.all(By.cssSelector("#key-create-form input[name=scope]")))
        .extracting(e -> e.getAttribute("value"))
        .contains("inference:*", "deployments:read", "keys:read", "inference:chat")
        .doesNotContain("admin", "finance");

    type("#key-name", "reader");
    click("#key-create-form input[name=scope][value='deployments:read']");
    click("#key-create");
    String secret = newSecret("#key-secret", null);
    assertThat(meStatus(secret)).isEqualTo(200);
    assertThat(scopes(secret)).containsExactly("deployments:read");
    find("#keys-list tr[data-name='reader'][data-status='active']");

    // Shown once: gone after a reload, and kept nowhere in the browser.
    browser.driver.navigate().refresh();
    find("#keys-list tr[data-name='reader']");
    assertThat(browser.all(By.cssSelector("#key-secret .secret"))).isEmpty();
    assertThat(browser.driver.getPageSource()).doesNotContain(secret);
    assertThat(
            (String)
                browser.script(
                    "return JSON.stringify(sessionStorage) + JSON.stringify(localStorage)"))
        .doesNotContain(secret);

    // Rotate (no grace): a new secret that works, the old one stops.
    click("#keys-list tr[data-name='reader'] .key-rotate");
    find("#rotate-grace");
    click("dialog .confirm-yes");
    String rotated = newSecret("#key-secret", secret);
    assertThat(meStatus(rotated)).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> meStatus(secret) == 401);
    browser.script("window.scrollTo(0, 0)");
    browser.screenshot("keys"); // every secret of this key is revoked below

    // Rotate with a grace: both secrets work until it ends, and the list says until when.
    click("#keys-list tr[data-name='reader'] .key-rotate");
    type("#rotate-grace", "600");
    click("dialog .confirm-yes");
    String graced = newSecret("#key-secret", rotated);
    assertThat(meStatus(graced)).isEqualTo(200);
    assertThat(meStatus(rotated)).isEqualTo(200);
    browser.waitForText(By.cssSelector("#key-secret"), "previous secret keeps working until");
    browser.waitForText(By.cssSelector("#keys-list tr[data-name='reader']"), "left)");

    // Revoke through the confirmation dialog: the secret in its grace stops too.
    click("#keys-list tr[data-name='reader'] .key-revoke");
    click("dialog .confirm-yes");
    find("#keys-list tr[data-name='reader'][data-status='revoked']");
    await().atMost(Duration.ofSeconds(10)).until(() -> meStatus(graced) == 401);
    await().atMost(Duration.ofSeconds(10)).until(() -> meStatus(rotated) == 401);
    assertThat(browser.all(By.cssSelector("#keys-list tr[data-name='reader'] .key-revoke")))
        .isEmpty();
    browser.assertNoJavaScriptErrors();
    browser.signOut();
  }

  @Test
  void aRefusalIsShownAsANotice() {
    String limited =
        stack
            .api
            .post(
                "/admin/v1/tenants/" + tenant + "/keys",
                ConsoleStack.ADMIN,
                "{\"name\":\"limited\",\"scopes\":[\"keys:write\",\"usage:read\"],"
                    + "\"requests_per_minute\":10}")
            .json()
            .get("secret")
            .asString();
    browser.signIn(limited);
    browser.go("keys");
    type("#key-name", "greedy");
    click("#key-create-form input[name=scope][value='usage:read']");
    click("#key-create-form details.advanced summary");
    type("#key-rpm", "1000");
    click("#key-create");
    browser.waitForText(By.cssSelector("#key-create-form .notice-error"), "requests_per_minute");
    assertThat(browser.all(By.cssSelector("#keys-list tr[data-name='greedy']"))).isEmpty();
    assertThat(browser.all(By.cssSelector("#key-secret .secret"))).isEmpty();
    browser.signOut();
  }

  @Test
  void aKeyWithoutKeysWriteSeesTheListOnly() {
    String readOnly = stack.key(tenant, "[\"keys:read\"]");
    browser.signIn(readOnly);
    browser.go("keys");
    assertThat(browser.heading()).isEqualTo("API keys");
    find("#keys-list tr .this-key");
    assertThat(browser.all(By.cssSelector("#keys-list tbody tr")).size()).isGreaterThanOrEqualTo(2);
    assertThat(browser.all(By.id("key-create-form"))).isEmpty();
    assertThat(browser.all(By.cssSelector(".key-revoke, .key-rotate"))).isEmpty();
    browser.signOut();
  }

  @Test
  void revokingTheSignedInKeySignsOut() {
    String self = stack.key(tenant, "[\"keys:write\"]");
    browser.signIn(self);
    browser.go("keys");
    click("#keys-list tr:has(.this-key) .key-revoke");
    browser.waitForText(By.cssSelector("dialog"), "signs you out");
    click("dialog .confirm-yes");
    find("#signin-key");
    assertThat(browser.script("return sessionStorage.getItem('zeroscale.key')")).isNull();
    assertThat(meStatus(self)).isEqualTo(401);
  }

  @Test
  void rotatingTheSignedInKeyKeepsTheConsoleSignedInWithTheNewSecret() {
    String self = stack.key(tenant, "[\"keys:write\"]");
    browser.signIn(self);
    browser.go("keys");
    click("#keys-list tr:has(.this-key) .key-rotate");
    // The dialog says it is the signed-in key; no grace: the old secret stops at once.
    browser.waitForText(By.cssSelector("dialog .rotate-self"), "signed in with");
    assertThat(find("#rotate-grace").getDomProperty("value")).isEqualTo("0");
    click("dialog .confirm-yes");
    String fresh = newSecret("#key-secret", self);
    browser.waitForText(By.cssSelector("#key-secret"), "now uses the new secret");
    assertThat(meStatus(fresh)).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> meStatus(self) == 401);
    // Still signed in, with the new secret; the secret box is not a live region.
    assertThat(browser.all(By.id("signin-key"))).isEmpty();
    assertThat(browser.script("return sessionStorage.getItem('zeroscale.key')")).isEqualTo(fresh);
    // Not read aloud: the nearest live region around the secret has announcements off.
    assertThat(
            browser.script(
                "const live = document.querySelector('#key-secret .secret')"
                    + ".closest('[aria-live], [role=status], [role=alert], [role=log]');"
                    + "return live === null || live.getAttribute('aria-live') === 'off';"))
        .isEqualTo(true);

    // The page keeps working: it creates a key with the new secret.
    type("#key-name", "after-rotation");
    click("#key-create-form input[name=scope][value='keys:read']");
    click("#key-create");
    String created = newSecret("#key-secret", fresh);
    find("#keys-list tr[data-name='after-rotation'][data-status='active']");
    assertThat(scopes(created)).containsExactly("keys:read");
    assertThat(browser.heading()).isEqualTo("API keys");
    browser.assertNoJavaScriptErrors();
    browser.signOut();
  }

  @Test
  void aKeyWithoutKeysReadIsToldSoWithoutACall() {
    String other = stack.key(tenant, "[\"usage:read\"]");
    browser.signIn(other);
    browser.go("keys");
    assertThat(browser.heading()).isEqualTo("API keys");
    browser.waitForText(By.cssSelector("#view .notice-info"), "keys:read");
    assertThat(browser.all(By.cssSelector("#view .notice-error"))).isEmpty();
    assertThat(browser.all(By.id("keys-list"))).isEmpty();
    // No 403 was asked for (the browser would log the failed call).
    browser.assertNoJavaScriptErrors();
    browser.signOut();
  }

  @Test
  void anUnreadableNumberIsRefusedInTheKeyForm() {
    browser.signIn(writer);
    browser.go("keys");
    type("#key-name", "unreadable");
    click("#key-create-form input[name=scope][value='deployments:read']");
    click("#key-create-form details.advanced summary");
    type("#key-rpm", "12,5");
    click("#key-create");
    browser.waitForText(By.cssSelector("#key-create-form .notice-error"), "Requests per minute");
    assertThat(find("#key-rpm").getDomAttribute("aria-invalid")).isEqualTo("true");
    assertThat(browser.script("return document.activeElement.id")).isEqualTo("key-rpm");
    assertThat(browser.all(By.cssSelector("#keys-list tr[data-name='unreadable']"))).isEmpty();
    boolean sent = false;
    for (JsonNode k : stack.api.get("/api/v1/keys", writer).json().get("data")) {
      sent |= k.get("name").asString().equals("unreadable");
    }
    assertThat(sent).as("no key was created").isFalse();
    browser.signOut();
  }

  @Test
  void theAdminKeyManagesTenants() {
    String listed = stack.newTenantName("listed");
    assertThat(
            stack
                .api
                .post(
                    "/admin/v1/tenants",
                    ConsoleStack.ADMIN,
                    "{\"name\":\"" + listed + "\",\"gpu_quota\":6,\"requests_per_minute\":600}")
                .status())
        .isEqualTo(201);

    browser.signIn(ConsoleStack.ADMIN);
    String nav = find("#nav").getText();
    assertThat(nav).contains("Tenants", "Invoices").doesNotContain("Deployments", "API keys");
    browser.go("admin/tenants");
    assertThat(browser.heading()).isEqualTo("Tenants");
    assertThat(find("#tenants-list tr[data-name='" + listed + "']").getText())
        .contains(listed, "6", "600/min");

    // Create one in the form.
    String formed = stack.newTenantName("formed");
    type("#tenant-name", formed);
    type("#tenant-gpu-quota", "2");
    type("#tenant-spend-limit", "25.50");
    click("#tenant-create");
    find("#tenants-list tr[data-name='" + formed + "']");
    JsonNode t = stack.api.get("/admin/v1/tenants/" + formed, ConsoleStack.ADMIN).json();
    assertThat(t.get("gpu_quota").asInt()).isEqualTo(2);
    assertThat(t.get("spend_limit_usd").decimalValue()).isEqualByComparingTo("25.50");
    browser.script("window.scrollTo(0, 0)");
    browser.screenshot("tenants");

    // Its page: change the quota, give it a key, revoke the key, delete the tenant.
    click("#tenants-list tr[data-name='" + formed + "'] a");
    browser.waitForText(By.cssSelector("#view h1"), "Tenant " + formed);
    type("#edit-gpu-quota", "3");
    type("#edit-spend-limit", "");
    click("#tenant-save");
    browser.waitForText(By.cssSelector("#tenant-edit-form .form-status"), "Saved");
    t = stack.api.get("/admin/v1/tenants/" + formed, ConsoleStack.ADMIN).json();
    assertThat(t.get("gpu_quota").asInt()).isEqualTo(3);
    assertThat(t.get("spend_limit_usd").isNull()).isTrue();

    type("#tkey-name", "billing-bot");
    click("#tenant-key-form input[name=scope][value='usage:read']");
    click("#tkey-create");
    String secret = newSecret("#tenant-key-secret", null);
    assertThat(scopes(secret)).containsExactly("usage:read");
    click("#tenant-keys tr[data-name='billing-bot'] .key-revoke");
    click("dialog .confirm-yes");
    find("#tenant-keys tr[data-name='billing-bot'][data-status='revoked']");
    await().atMost(Duration.ofSeconds(10)).until(() -> meStatus(secret) == 401);

    click("#tenant-delete");
    click("dialog .confirm-yes");
    find("#tenants-list tr[data-name='" + listed + "']");
    assertThat(stack.api.get("/admin/v1/tenants/" + formed, ConsoleStack.ADMIN).status())
        .isEqualTo(404);
    assertThat(browser.all(By.cssSelector("#tenants-list tr[data-name='" + formed + "']")))
        .isEmpty();

    // A tenant with a deployment cannot be deleted: the refusal is shown.
    browser.go("admin/tenants?tenant=" + tenant);
    click("#tenant-delete");
    click("dialog .confirm-yes");
    browser.waitForText(By.cssSelector("#tenant-delete-status .notice-error"), "deployments");
    assertThat(stack.api.get("/admin/v1/tenants/" + tenant, ConsoleStack.ADMIN).status())
        .isEqualTo(200);

    // An unknown tenant is the 404 page.
    browser.go("admin/tenants?tenant=no-such-tenant");
    assertThat(browser.heading()).isEqualTo("Page not found");
    browser.signOut();
  }

  @Test
  void theAdminKeySeesAndFinalizesInvoices() {
    // Usage this month: one cold start bills its first hour at once.
    String payer = stack.newTenantName("payer");
    String key = stack.tenant(payer, ConsoleStack.ALL_TENANT_SCOPES);
    stack.api.importLlama7b(key, "llama7");
    ApiClient.Response d =
        stack.api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"billed\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\",\"num_gpus\":1,"
                + "\"settings\":{\"min_instances\":0,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    ApiClient.Response chat =
        stack.api.post(
            "/v1/chat/completions",
            key,
            "{\"model\":\"billed\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_tokens\":2}");
    assertThat(chat.status()).as(chat.body()).isEqualTo(200);
    String period = YearMonth.now(ZoneOffset.UTC).toString();
    String invoicesOfPayer = "/admin/v1/invoices?period=" + period + "&tenant=" + payer;
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> !stack.api.get(invoicesOfPayer, ConsoleStack.ADMIN).json().get("data").isEmpty());
    String number =
        stack
            .api
            .get(invoicesOfPayer, ConsoleStack.ADMIN)
            .json()
            .get("data")
            .get(0)
            .get("number")
            .asString();

    browser.signIn(ConsoleStack.ADMIN);
    browser.go("admin/invoices");
    assertThat(browser.heading()).isEqualTo("Invoices");
    assertThat(find("#invoices-period").getAttribute("value")).isEqualTo(period);
    WebElement row = find("#invoices-list tr[data-number='" + number + "']");
    assertThat(row.getText()).contains(payer, "draft", "$2.00");
    // This month is not over: it cannot be finalized.
    assertThat(find("#invoices-finalize").isEnabled()).isFalse();
    browser.screenshot("invoices");

    // The month's CSV, as the download link gets it.
    browser.script(
        "window.csvText = null; const make = URL.createObjectURL;"
            + " URL.createObjectURL = (blob) => { blob.text().then((t) => { window.csvText = t; });"
            + " return make(blob); };");
    click("#invoices-csv");
    String csv =
        new WebDriverWait(browser.driver, Duration.ofSeconds(20))
            .until(driver -> (String) browser.script("return window.csvText"));
    assertThat(csv).startsWith("number,tenant,period,status").contains(number, payer);
    assertThat(browser.all(By.cssSelector("#invoices-status .notice-error"))).isEmpty();
    assertThat(stack.api.delete("/api/v1/deployments/billed", key).status()).isIn(200, 202, 204);

    // A month long past, without charges: the empty state, then finalize it through the dialog.
    browser.go("admin/invoices?period=2020-01");
    browser.waitForText(By.cssSelector("#invoices-list .empty"), "No invoices for 2020-01");
    click("#invoices-finalize");
    browser.waitForText(By.cssSelector("dialog"), "never change");
    click("dialog .confirm-yes");
    browser.waitForText(By.id("invoices-status"), "Finalized 2020-01: 0 final invoices");
    ApiClient.Response again =
        stack.api.post("/admin/v1/invoices/2020-01/finalize", ConsoleStack.ADMIN, null);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("data").isEmpty()).isTrue();
    browser.signOut();
  }
}
