package io.zeroscale.standalone;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An engine simulator started from the built jar as a real process, as the runtime will. */
record SimProcess(Process process, int port, Path log) implements AutoCloseable {

  static final Path JAR = Path.of("..", "engine-sim", "target", "engine-sim.jar").toAbsolutePath();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Starts a simulator serving {@code names} with extra flags, and waits until it is healthy. */
  static SimProcess start(Path dir, List<String> names, String... flags) throws IOException {
    int port = StandaloneProcess.freePort();
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx256m",
                "-jar",
                JAR.toString(),
                "--host=127.0.0.1",
                "--port=" + port,
                "--served-model-name=" + String.join(",", names)));
    cmd.addAll(List.of(flags));
    Files.createDirectories(dir);
    Path log = Files.createTempFile(dir, "sim-", ".log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    SimProcess sim = new SimProcess(p, port, log);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .failFast("simulator exited", () -> !p.isAlive())
        .until(() -> sim.status("/health") == 200);
    return sim;
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  int status(String path) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url() + path))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** A metric's value from /metrics (first sample whose name matches), or 0 when absent. */
  double metric(String name) {
    try {
      String text =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(url() + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Matcher m =
          Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})?\\s+([0-9.eE+-]+)$")
              .matcher(text);
      return m.find() ? Double.parseDouble(m.group(2)) : 0;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
