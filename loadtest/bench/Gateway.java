package bench;

import static bench.Options.ADMIN_KEY;
import static bench.Processes.freePort;
import static bench.Util.log;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone app ({@code standalone/target/zeroscale.jar}, or {@code --gateway-jar}'s) as a
 * child process with its own {@code ZEROSCALE_HOME}, and the control-plane calls the harness makes
 * to it.
 */
record Gateway(Process process, int port, Path home, Path logFile) {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  long pid() {
    return process.pid();
  }

  static Gateway start(Run run, String name, List<String> jvm, List<String> args) throws Exception {
    int port = freePort();
    Path home = run.work.resolve(name + "-home");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvm);
    cmd.add("-jar");
    cmd.add(run.root.resolve(run.options.gatewayJar).toString());
    cmd.add("--server.port=" + port);
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(run.root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(run.work.resolve(name + "-gateway.log").toFile());
    pb.environment().put("ZEROSCALE_HOME", home.toString());
    pb.environment().put("ZEROSCALE_ADMIN_KEY", ADMIN_KEY);
    // The hub is unreachable here: a closed port fails the lookup at once (model unverified).
    pb.environment().put("ZEROSCALE_HUB_URL", "http://127.0.0.1:9");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    log("starting gateway '" + name + "' on port " + port + " " + String.join(" ", args));
    Process p = pb.start();
    run.children.add(p);
    Gateway gw = new Gateway(p, port, home, run.work.resolve(name + "-gateway.log"));
    gw.awaitHealthy();
    return gw;
  }

  private void awaitHealthy() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("gateway exited; see " + logFile.getFileName());
      }
      try {
        HttpResponse<String> r = call("GET", "/actuator/health", null, null);
        if (r.statusCode() == 200 && r.body().contains("UP")) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("gateway did not become healthy");
  }

  HttpResponse<String> call(String method, String path, String key, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> expect(int status, String method, String path, String key, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> r = call(method, path, key, body);
    if (r.statusCode() != status) {
      throw new IllegalStateException(
          method + " " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r;
  }

  String benchKey() throws Exception {
    expect(201, "POST", "/admin/v1/tenants", ADMIN_KEY, "{\"name\":\"bench\",\"gpu_quota\":64}");
    HttpResponse<String> r =
        expect(
            201,
            "POST",
            "/admin/v1/tenants/bench/keys",
            ADMIN_KEY,
            "{\"name\":\"bench\",\"scopes\":[\"inference:*\",\"deployments:read\",\"deployments:write\"]}");
    return Json.str(r.body(), "secret");
  }

  String createDeployment(String key, String name, int min, int batch, int activationS)
      throws Exception {
    String body =
        "{\"model_name\":\""
            + name
            + "\",\"model\":{\"hf\":{\"repo\":\"bench/"
            + name
            + "\"}},\"gpu\":\"A100-80GB\",\"num_gpus\":1,\"max_batch_size\":"
            + batch
            + ",\"settings\":{\"min_instances\":"
            + min
            + ",\"max_instances\":1,\"activation_timeout_s\":"
            + activationS
            + "}}";
    return Json.str(expect(201, "POST", "/api/v1/deployments", key, body).body(), "id");
  }

  void delete(String key, String id) throws Exception {
    HttpResponse<String> r = call("DELETE", "/api/v1/deployments/" + id, key, null);
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException("delete answered " + r.statusCode() + ": " + r.body());
    }
  }

  void awaitStatus(String key, String name, String status, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last =
          Json.str(expect(200, "GET", "/api/v1/deployments/" + name, key, null).body(), "status");
      if (status.equals(last)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + " is " + last + ", not " + status);
  }

  /**
   * Waits until the gateway's data plane knows a new llm deployment: it learns of it through Redis
   * a moment after the API answered, and a request sent before then is a 404. Probed without side
   * effects: an embeddings request for an llm model is refused (400) once the name is known, before
   * anything is held or woken.
   */
  void awaitRouted(String key, String name, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    String probe = "{\"model\":\"" + name + "\",\"input\":\"x\"}";
    int last = 0;
    while (System.nanoTime() < deadline) {
      last = call("POST", "/v1/embeddings", key, probe).statusCode();
      if (last == 400) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(name + " is not routed yet (probe answered " + last + ")");
  }

  long totalQueueDepth(String key) throws Exception {
    String body = expect(200, "GET", "/api/v1/deployments", key, null).body();
    Matcher m = Pattern.compile("\"queue_depth\":(\\d+)").matcher(body);
    long sum = 0;
    while (m.find()) {
      sum += Long.parseLong(m.group(1));
    }
    return sum;
  }

  /**
   * The instance the process runtime started for a deployment, from its state file: url, pid and
   * the instance's own engine key (instances answer 401 without it, so the direct and proxy-floor
   * hops send it as the client's bearer key, and the proxies pass it on as they pass any header).
   */
  Map<String, String> instanceOf(String deploymentId) throws Exception {
    try (var files = Files.list(home.resolve("instances"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        String s = Files.readString(f);
        if (deploymentId.equals(Json.str(s, "deployment_id"))) {
          return Map.of(
              "url",
              Json.str(s, "url"),
              "pid",
              Json.raw(s, "pid"),
              "engine_key",
              Json.str(s, "engine_key"));
        }
      }
    }
    throw new IllegalStateException("no instance state file for " + deploymentId);
  }

  /** Wall-clock marks of an instance's life from the gateway's log: started, ready. */
  Map<String, Long> logMarks(String fullName) throws IOException {
    Map<String, Long> out = new HashMap<>();
    for (String l : Files.readAllLines(logFile)) {
      if (!l.contains("of " + fullName + " ")) {
        continue;
      }
      String kind =
          l.contains("Started instance") ? "started" : l.contains(" is ready at ") ? "ready" : null;
      if (kind != null && l.length() > 24) {
        out.putIfAbsent(kind, Instant.parse(l.substring(0, 24)).toEpochMilli());
      }
    }
    return out;
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
