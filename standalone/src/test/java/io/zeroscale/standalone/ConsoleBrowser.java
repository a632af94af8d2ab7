package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The system's headless Chromium (Debian {@code chromium} and {@code chromium-driver}, which {@code
 * .ci/run} installs) driven through Selenium, on a laptop-sized window (1280 × 800).
 *
 * <p>JavaScript errors fail the test: {@link #assertNoJavaScriptErrors()} reads the browser's log,
 * and {@link #close()} calls it. Only the log lines Chromium writes for an HTTP error status
 * ("Failed to load resource: the server responded with a status of 404") are not counted: the
 * console asks the API for things that may answer 404 or 403 on purpose (another tenant's
 * deployment), and shows them as such.
 */
final class ConsoleBrowser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /** Where screenshots go: {@code docs/console/} of the repository (this module's parent). */
  static final Path SCREENSHOTS = Path.of("..", "docs", "console").toAbsolutePath().normalize();

  final ChromeDriver driver;
  final String baseUrl;
  private final WebDriverWait wait;

  private ConsoleBrowser(String baseUrl) {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException(
          "the console browser tests need Debian's chromium and chromium-driver"
              + " (apt-get install -y chromium chromium-driver; .ci/run installs them)");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,800",
        "--force-device-scale-factor=1",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, Level.ALL.getName()));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    driver = new ChromeDriver(service, options);
    this.baseUrl = baseUrl;
    wait = new WebDriverWait(driver, Duration.ofSeconds(20));
  }

  static ConsoleBrowser open(String baseUrl) {
    return new ConsoleBrowser(baseUrl);
  }

  /** Opens a console address, e.g. {@code deployments} or {@code deployments/abc}. */
  void go(String below) {
    driver.get(baseUrl + "/console/" + below);
  }

  /** Opens the console, signs in with {@code key} and waits for the navigation to be built. */
  void signIn(String key) {
    go("signin");
    WebElement input = waitFor(By.id("signin-key"));
    input.clear();
    input.sendKeys(key);
    driver.findElement(By.id("signin-submit")).click();
    // Present, not visible: a key that opens no section has an empty navigation.
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#nav ul")));
    // Then the page it lands on, drawn: the sign-in page is left, and #view is no longer busy.
    wait.until(d -> !d.getCurrentUrl().contains("/console/signin"));
    awaitDrawn();
  }

  /**
   * Waits until the page on screen is drawn: the console keeps {@code #view} aria-busy while a page
   * renders and loads its data, so a heading read before that could still be the previous page's.
   */
  void awaitDrawn() {
    try {
      wait.until(
          ExpectedConditions.presenceOfElementLocated(By.cssSelector("#view[aria-busy='false']")));
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError(
          "waiting for the page to be drawn at " + driver.getCurrentUrl() + "\n" + pageState(), e);
    }
  }

  /** Signs out with the sidebar's button and waits for the sign-in form. */
  void signOut() {
    waitFor(By.cssSelector("button.signout")).click();
    waitFor(By.id("signin-key"));
  }

  /**
   * The element, once present and visible (20 s at most). A timeout says what the page showed and
   * what the browser logged, so that a failure in CI can be understood without rerunning it.
   */
  WebElement waitFor(By by) {
    try {
      return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError(
          "waiting for " + by + " at " + driver.getCurrentUrl() + "\n" + pageState(), e);
    }
  }

  /** The main view's text and the browser's log so far, for failure messages. */
  String pageState() {
    String view;
    try {
      view = driver.findElement(By.id("view")).getText();
    } catch (RuntimeException e) {
      view = "(no #view: " + e.getMessage() + ")";
    }
    String log =
        driver.manage().logs().get(LogType.BROWSER).getAll().stream()
            .map(LogEntry::toString)
            .reduce("", (a, b) -> a + "\n  " + b);
    return "page text:\n" + view + "\nbrowser log:" + log;
  }

  /** Waits up to {@code timeout} until the element's text contains {@code text}. */
  void waitForText(By by, String text, Duration timeout) {
    new WebDriverWait(driver, timeout)
        .until(ExpectedConditions.textToBePresentInElementLocated(by, text));
  }

  void waitForText(By by, String text) {
    waitForText(by, text, Duration.ofSeconds(20));
  }

  /**
   * The heading of the page on screen, once it is drawn. After an action that navigates only once
   * an API call has answered (a confirmed delete), wait for the new address first: until the
   * navigation starts, the page being left is the drawn one.
   */
  String heading() {
    awaitDrawn();
    return waitFor(By.cssSelector("#view h1")).getText();
  }

  List<WebElement> all(By by) {
    return driver.findElements(by);
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  /**
   * Saves a PNG of the window as {@code docs/console/<name>.png} (committed, linked from the
   * README).
   */
  void screenshot(String name) {
    Path png = driver.getScreenshotAs(OutputType.FILE).toPath();
    try {
      Files.createDirectories(SCREENSHOTS);
      Path target = SCREENSHOTS.resolve(name + ".png");
      Files.copy(png, target, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fails on any error the page's JavaScript logged or threw since the last call. */
  void assertNoJavaScriptErrors() {
    List<String> errors =
        driver.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
            .map(LogEntry::getMessage)
            .filter(m -> !m.contains("Failed to load resource: the server responded with a status"))
            .toList();
    assertThat(errors).as("JavaScript errors in the browser log").isEmpty();
  }

  @Override
  public void close() {
    try {
      assertNoJavaScriptErrors();
    } finally {
      driver.quit();
    }
  }

  /** For callers that need {@link TakesScreenshot} or more of Selenium. */
  ChromeDriver driver() {
    return driver;
  }
}
