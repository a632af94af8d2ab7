package bench;

import static bench.Processes.cmdline;
import static bench.Processes.freePort;
import static bench.Util.log;
import static bench.Util.ms;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Phase 3, cold start: for a new {@code min_instances: 0} deployment, the time from sending the
 * first request to its first byte, minus the instance's own (the simulator launched here with the
 * exact command line the activator used); the gateway's log gives the split.
 */
final class ColdStart implements Scenario {
  private final Run run;
  private final Gateway gw;
  private final String key;
  private final long simPid;

  ColdStart(Run run, Gateway gw, String key, long simPid) {
    this.run = run;
    this.gw = gw;
    this.key = key;
    this.simPid = simPid;
  }

  @Override
  public Map<String, Object> run() throws Exception {
    List<String> simCmd = cmdline(simPid);
    log("instance command: " + String.join(" ", simCmd));
    List<Object> samples = new ArrayList<>();
    int errors = 0;
    for (int i = 0; i < run.options.coldStarts; i++) {
      Map<String, Object> s = sample(i, simCmd);
      if ((int) s.get("status") != 200) {
        errors++;
      }
      samples.add(s);
    }
    Map<String, Object> out = summary(samples);
    out.put(ERRORS, errors);
    return out;
  }

  private Map<String, Object> sample(int i, List<String> simCmd) throws Exception {
    // Alternate which one runs first, as in the warm path.
    long[] own = i % 2 == 0 ? ownBoot(simCmd) : null;
    String name = "cold" + i;
    String dep = gw.createDeployment(key, name, 0, 256, 900);
    gw.awaitStatus(key, name, "scaled_to_zero", Duration.ofSeconds(30));
    gw.awaitRouted(key, name, Duration.ofSeconds(30));
    Target t = new Target("gateway", "127.0.0.1", gw.port(), key);
    Exchange ex;
    long sentWallMs;
    // Watches the instance the activator starts: its /health polled every 2 ms from here, so
    // the moment it turned 200 is known without trusting the boot time of another JVM.
    long[] healthyWallMs = {-1};
    Thread watcher = Thread.ofPlatform().daemon().start(() -> healthyWallMs[0] = watchHealth(dep));
    try (Conn c = new Conn(t.host(), t.port(), 120_000)) {
      sentWallMs = System.currentTimeMillis();
      ex = c.exchange(t.request(name, false, 1, "cold start"), false);
    }
    watcher.join(5000);
    long firstByteWallMs = sentWallMs + (ex.firstByteNs - ex.startNs) / 1_000_000;
    if (own == null) {
      own = ownBoot(simCmd);
    }
    long ttfb = ex.firstByteNs - ex.startNs;
    long overhead = ttfb - own[1];
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("status", ex.status);
    s.put("first_byte_ms", ms(ttfb));
    s.put("own_health_ms", ms(own[0]));
    s.put("own_first_byte_ms", ms(own[1]));
    s.put("overhead_ms", ms(overhead));
    s.put("x_zeroscale_cold_start_wait_ms", ex.headers.get("x-zeroscale-cold-start-wait-ms"));
    split(s, name, own, sentWallMs, firstByteWallMs, healthyWallMs[0]);
    log("cold start " + i + ": " + s);
    gw.delete(key, dep);
    return s;
  }

  /** Where the time went, from the gateway's log (millisecond wall clock, same machine). */
  private void split(
      Map<String, Object> s,
      String name,
      long[] own,
      long sentWallMs,
      long firstByteWallMs,
      long healthyWallMs)
      throws IOException {
    Map<String, Long> marks = gw.logMarks("bench/" + name);
    if (!marks.containsKey("started") || !marks.containsKey("ready")) {
      return;
    }
    s.put("request_to_process_started_ms", marks.get("started") - sentWallMs);
    s.put("process_started_to_ready_ms", marks.get("ready") - marks.get("started"));
    s.put("ready_to_first_byte_ms", firstByteWallMs - marks.get("ready"));
    if (healthyWallMs > 0) {
      // The gateway's part, free of the instance's boot-time noise: getting the process
      // started, noticing its health, and the way from "ready" to the client beyond what
      // the instance's own first request takes.
      long notice = marks.get("ready") - healthyWallMs;
      long relay = firstByteWallMs - marks.get("ready") - (own[1] - own[0]) / 1_000_000;
      s.put("instance_healthy_to_ready_ms", notice);
      s.put(
          "overhead_decomposed_ms", (double) (marks.get("started") - sentWallMs + notice + relay));
    }
  }

  private static Map<String, Object> summary(List<Object> samples) {
    double[] ov =
        samples.stream()
            .mapToDouble(o -> (double) ((Map<?, ?>) o).get("overhead_ms"))
            .sorted()
            .toArray();
    double[] dec =
        samples.stream()
            .filter(o -> ((Map<?, ?>) o).get("overhead_decomposed_ms") != null)
            .mapToDouble(o -> (double) ((Map<?, ?>) o).get("overhead_decomposed_ms"))
            .sorted()
            .toArray();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("samples", samples);
    out.put("overhead_median_ms", ov[ov.length / 2]);
    out.put("overhead_max_ms", ov[ov.length - 1]);
    if (dec.length > 0) {
      out.put("overhead_decomposed_median_ms", dec[dec.length / 2]);
      out.put("overhead_decomposed_max_ms", dec[dec.length - 1]);
    }
    return out;
  }

  /** Wall-clock ms at which the deployment's first instance answered /health 200, or -1. */
  private long watchHealth(String deploymentId) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try {
      int port = -1;
      while (port < 0 && System.nanoTime() < deadline) {
        try {
          port = URI.create(gw.instanceOf(deploymentId).get("url")).getPort();
        } catch (Exception notYet) {
          Thread.sleep(2);
        }
      }
      while (System.nanoTime() < deadline) {
        if (healthStatus(port) == 200) {
          return System.currentTimeMillis();
        }
        Thread.sleep(2);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return -1;
  }

  /**
   * The instance's own cold start: the simulator launched exactly as the activator launched it
   * (fresh port), polled every 2 ms until /health is 200, then sent the cold request at once.
   * Returns {launch to health 200, launch to the request's first byte} in nanoseconds: the second
   * includes the fresh JVM's slow first request, which is the instance's cost, not the gateway's.
   */
  private long[] ownBoot(List<String> cmd) throws Exception {
    int port = freePort();
    List<String> c = new ArrayList<>();
    for (String a : cmd) {
      c.add(a.startsWith("--port=") ? "--port=" + port : a);
    }
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(c)
            .redirectErrorStream(true)
            .redirectOutput(run.work.resolve("own-boot.log").toFile())
            .start();
    try {
      long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        if (healthStatus(port) == 200) {
          long health = System.nanoTime() - t0;
          Target t = new Target("direct", "127.0.0.1", port, null);
          try (Conn conn = new Conn(t.host(), t.port(), 30_000)) {
            Exchange ex = conn.exchange(t.request("warm", false, 1, "cold start"), false);
            if (ex.status != 200) {
              throw new IllegalStateException("own boot request answered " + ex.status);
            }
            return new long[] {health, ex.firstByteNs - t0};
          }
        }
        Thread.sleep(2);
      }
      throw new IllegalStateException("simulator did not become healthy");
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static int healthStatus(int port) {
    try (Conn c = new Conn("127.0.0.1", port, 1000)) {
      byte[] req =
          ("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      return c.exchange(req, false).status;
    } catch (IOException e) {
      return -1;
    }
  }
}
