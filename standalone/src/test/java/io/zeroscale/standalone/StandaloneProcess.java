package io.zeroscale.standalone;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The built {@code zeroscale.jar} run as a real process, the way the README tells people to. */
final class StandaloneProcess implements AutoCloseable {

  static final Path JAR = Path.of("target", "zeroscale.jar").toAbsolutePath();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final Process process;
  final int port;
  final Path log;

  static StandaloneProcess start(Path home, Map<String, String> env) throws IOException {
    return start(home, env, List.of());
  }

  /**
   * @param args extra command-line arguments, e.g. {@code --zeroscale.activator.enabled=false} for
   *     tests that publish their own instances (the activator would remove instances it did not
   *     start)
   */
  static StandaloneProcess start(Path home, Map<String, String> env, List<String> args)
      throws IOException {
    return new StandaloneProcess(home, env, args);
  }

  /** Starts the jar on a free port, its output in a new log file next to {@code home}. */
  private StandaloneProcess(Path home, Map<String, String> env, List<String> args)
      throws IOException {
    port = freePort();
    Files.createDirectories(home);
    log = Files.createTempFile(home.getParent(), "zeroscale-", ".log");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(List.of(java, "-Xmx512m", "-jar", JAR.toString(), "--server.port=" + port));
    command.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("ZEROSCALE_"));
    pb.environment().put("ZEROSCALE_HOME", home.toString());
    pb.environment().putAll(env);
    process = pb.start();
  }

  /** Waits until {@code /actuator/health} answers 200 and returns its body. */
  String awaitHealthy(Duration timeout) {
    String[] body = new String[1];
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(250))
        .failFast("the process exited; its output:\n" + output(), () -> !process.isAlive())
        .until(
            () -> {
              Optional<HttpResponse<String>> r = get("/actuator/health");
              if (r.isPresent() && r.get().statusCode() == 200) {
                body[0] = r.get().body();
                return true;
              }
              return false;
            });
    // The banner is printed right after start-up completes.
    await().atMost(Duration.ofSeconds(10)).until(() -> output().contains("Zeroscale is running"));
    return body[0];
  }

  Optional<HttpResponse<String>> get(String path) {
    try {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(5))
              .build();
      return Optional.of(HTTP.send(req, HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /** The value printed after {@code label :} in the start-up banner, if any. */
  Optional<String> bannerValue(String label) {
    Matcher m = Pattern.compile(Pattern.quote(label) + "\\s*:\\s*(\\S+)").matcher(output());
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** Sends SIGTERM and waits for the process to exit; answers the exit code. */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("did not stop within " + timeout + "; output:\n" + output());
    }
    return process.exitValue();
  }

  /**
   * Sends SIGKILL, as a crash or an OOM killer would: no shutdown hook runs, so the instances this
   * JVM started keep running. Waits for the exit.
   */
  void kill(Duration timeout) throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      throw new AssertionError("still alive " + timeout + " after SIGKILL");
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
