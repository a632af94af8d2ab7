package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The console's shell against the real jar: what the server answers below {@code /console}
 * (security headers, 404s, methods), and in the browser sign-in, sign-out, the navigation by scope
 * and the 404 page.
 */
class ConsoleShellIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static ConsoleStack stack;
  private static ConsoleBrowser browser;
  private static String tenant;
  private static String fullKey;

  @BeforeAll
  static void start() {
    stack = ConsoleStack.shared();
    tenant = stack.newTenantName("shell");
    fullKey = stack.tenant(tenant, ConsoleStack.ALL_TENANT_SCOPES);
    browser = ConsoleBrowser.open(stack.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  private static HttpResponse<String> send(String method, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.baseUrl() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void pagesAreServedWithoutAKeyAndWithAStrictPolicy() throws Exception {
    HttpResponse<String> page = send("GET", "/console/deployments/some-id");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValue("text/html;charset=utf-8");
    String csp = page.headers().firstValue("content-security-policy").orElseThrow();
    assertThat(csp).contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'");
    assertThat(csp).doesNotContain("unsafe");
    assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(page.body()).contains("/console/assets/js/app.js").doesNotContain("<script>");

    HttpResponse<String> unknown = send("GET", "/console/no/such/page");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("<html");

    HttpResponse<String> script = send("GET", "/console/assets/js/app.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("content-type"))
        .hasValue("text/javascript;charset=utf-8");
    String etag = script.headers().firstValue("etag").orElseThrow();
    HttpResponse<String> again =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/console/assets/js/app.js"))
                .header("If-None-Match", etag)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(304);

    assertThat(send("GET", "/console/vendor/uPlot.iife.min.js").statusCode()).isEqualTo(200);
    HttpResponse<String> missing = send("GET", "/console/assets/js/nope.js");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("\"error\"");

    HttpResponse<String> post = send("POST", "/console/");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.body()).contains("\"type\":\"invalid_request_error\"");

    HttpResponse<String> bare = send("GET", "/console");
    assertThat(bare.statusCode()).isEqualTo(308);
    assertThat(bare.headers().firstValue("location")).hasValue("/console/");

    // Public means the console only: the API beside it still needs a key.
    assertThat(send("GET", "/api/v1/me").statusCode()).isEqualTo(401);
  }

  @Test
  void meTellsTheKeyItsTenantAndScopes() {
    ApiClient.Response me = stack.api.get("/api/v1/me", fullKey);
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().get("tenant").asString()).isEqualTo(tenant);
    assertThat(me.json().get("platform").asBoolean()).isFalse();
    assertThat(me.body()).contains("\"deployments:write\"").doesNotContain(fullKey);

    ApiClient.Response admin = stack.api.get("/api/v1/me", ConsoleStack.ADMIN);
    assertThat(admin.status()).isEqualTo(200);
    assertThat(admin.json().get("platform").asBoolean()).isTrue();
    assertThat(admin.json().get("tenant").isNull()).isTrue();
  }

  @Test
  void signInShowsTheSectionsTheKeyMayOpenAndSignOutForgetsTheKey() {
    browser.go("signin");
    browser.waitFor(By.id("signin-key")).sendKeys("zs-not-a-real-key");
    browser.driver.findElement(By.id("signin-submit")).click();
    browser.waitFor(By.cssSelector(".notice-error"));
    browser.screenshot("signin");

    String readOnly = stack.key(tenant, "[\"deployments:read\"]");
    browser.signIn(readOnly);
    assertThat(browser.heading()).isEqualTo("Deployments");
    String nav = browser.waitFor(By.id("nav")).getText();
    assertThat(nav).contains("Deployments", "Models").doesNotContain("Deploy a model", "API keys");
    browser.signOut();
    assertThat(browser.script("return sessionStorage.getItem('zeroscale.key')")).isNull();

    browser.signIn(fullKey);
    String all = browser.waitFor(By.id("nav")).getText();
    assertThat(all)
        .contains("Deployments", "Models", "Deploy a model", "Playground", "Usage", "API keys");
    browser.signOut();
  }

  @Test
  void aKeyThatOpensNoSectionIsToldSo() {
    ApiClient.Response metrics =
        stack.api.post(
            "/admin/v1/keys",
            ConsoleStack.ADMIN,
            "{\"name\":\"scraper\",\"scopes\":[\"metrics\"]}");
    assertThat(metrics.status()).as(metrics.body()).isEqualTo(201);
    browser.signIn(metrics.json().get("secret").asString());
    assertThat(browser.heading()).isEqualTo("Nothing to show for this key");
    assertThat(browser.waitFor(By.id("no-section")).getText()).contains("metrics");
    assertThat(browser.driver.findElement(By.id("nav")).getText()).isEmpty();
    browser.signOut();
  }

  @Test
  void aConfirmationDoesNotOutliveItsPage() {
    browser.signIn(fullKey);
    browser.go("keys");
    browser.waitFor(By.cssSelector("#keys-list .this-key"));
    browser
        .waitFor(
            By.xpath(
                "//table//tr[.//*[contains(@class,'this-key')]]//button[contains(@class,'key-revoke')]"))
        .click();
    browser.waitFor(By.cssSelector("dialog .confirm-yes"));
    browser.driver.navigate().back();
    new org.openqa.selenium.support.ui.WebDriverWait(
            browser.driver, java.time.Duration.ofSeconds(10))
        .until(d -> d.findElements(By.cssSelector("dialog")).isEmpty());
    // Cancelled, not confirmed: the key still works.
    assertThat(stack.api.get("/api/v1/me", fullKey).status()).isEqualTo(200);
    browser.signOut();
  }

  @Test
  void theSignInPageForgetsAStoredKeyThatNoLongerWorks() {
    ApiClient.Response created =
        stack.api.post(
            "/admin/v1/tenants/" + tenant + "/keys",
            ConsoleStack.ADMIN,
            "{\"name\":\"soon-revoked\",\"scopes\":[\"deployments:read\"]}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String secret = created.json().get("secret").asString();
    browser.signIn(secret);
    ApiClient.Response revoked =
        stack.api.delete(
            "/admin/v1/tenants/" + tenant + "/keys/" + created.json().get("id").asString(),
            ConsoleStack.ADMIN);
    assertThat(revoked.status()).as(revoked.body()).isEqualTo(204);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> stack.api.get("/api/v1/me", secret).status() == 401);

    // A fresh load of the sign-in page with the revoked key still stored: the form, not a page
    // left loading.
    browser.go("signin");
    assertThat(browser.heading()).isEqualTo("Sign in to Zeroscale");
    assertThat(browser.waitFor(By.id("signin-key")).isDisplayed()).isTrue();
    assertThat(browser.script("return sessionStorage.getItem('zeroscale.key')")).isNull();
  }

  @Test
  void anUnknownAddressShowsTheNotFoundPage() {
    browser.signIn(fullKey);
    browser.go("no/such/page");
    assertThat(browser.heading()).isEqualTo("Page not found");
    browser.screenshot("not-found");
    browser.signOut();
  }
}
