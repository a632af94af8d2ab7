package io.zeroscale.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.sim.config.SimConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An in-process simulator on 127.0.0.1 and an ephemeral port, with recording hooks. */
final class RunningSim implements AutoCloseable {

  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  final EngineSim sim;
  final Hooks hooks;

  private RunningSim(EngineSim sim, Hooks hooks) {
    this.sim = sim;
    this.hooks = hooks;
  }

  static RunningSim start(SimConfig.Builder config) {
    Hooks hooks = new Hooks();
    EngineSim sim = EngineSim.start(config.host("127.0.0.1").port(0).build(), hooks);
    return new RunningSim(sim, hooks);
  }

  /** Starts a finished config as is (its host and port included). */
  static RunningSim start(SimConfig config) {
    Hooks hooks = new Hooks();
    return new RunningSim(EngineSim.start(config, hooks), hooks);
  }

  static SimConfig.Builder config() {
    return SimConfig.builder().servedModelNames("m", "alias");
  }

  int port() {
    return sim.port();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET().build());
  }

  HttpResponse<String> post(String path, String json) {
    return send(
        HttpRequest.newBuilder(URI.create(url(path)))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The value of one unlabelled-by-reason sample of /metrics, e.g. {@code
   * vllm:num_requests_waiting}.
   */
  double metric(String name) {
    HttpResponse<String> response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*\\} (\\S+)$")
            .matcher(response.body());
    assertThat(m.find()).as("metric %s present", name).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Override
  public void close() {
    sim.drain(Duration.ofSeconds(3));
  }

  /** Records lifecycle calls instead of printing and halting. */
  static final class Hooks implements EngineSim.Hooks {
    volatile int listeningPort = -1;
    volatile boolean ready;
    final List<String> crashes = new CopyOnWriteArrayList<>();

    @Override
    public void listening(String host, int port) {
      listeningPort = port;
    }

    @Override
    public void ready() {
      ready = true;
    }

    @Override
    public void crash(String reason) {
      crashes.add(reason);
    }
  }
}
