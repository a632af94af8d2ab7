import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Zeroscale benchmark harness (issue #8): measures the gateway's overhead against the same
 * simulator called directly, in the same run, alternating direct and gateway rounds.
 *
 * <p>JDK only (no Maven, no wrk/hey): a single-file program run by {@code loadtest/bench.sh}. The
 * load generator is a minimal HTTP/1.1 client on blocking sockets, one platform thread and one
 * keep-alive connection per closed-loop client, so that time to first byte, time to first SSE event
 * and the gap between events are taken the instant the bytes are read, with no client framework in
 * between. It costs the same on both sides of every comparison; only ratios and differences
 * measured in the same run are reported.
 *
 * <p>Phases: (1) warm path: one standalone gateway whose activator boots one simulator instance
 * ({@code min_instances: 1}); its URL is read from the process runtime's state file and called
 * directly, alternating with the same calls through the gateway, at 1, 50 and 200 clients, for chat
 * non-stream and chat stream; (2) a JFR profile of the gateway at 200 clients; (3) cold starts:
 * time to first byte of the first request for a scaled-to-zero deployment minus the instance's own
 * boot (the simulator launched by this program with the exact command line the activator used,
 * timed to /health 200) minus the request's own latency; (4) held requests: a second gateway with
 * -Xmx1g holds N real HTTP connections for cold deployments, heap after GC and thread count are
 * read with jcmd, then every request must be served.
 */
public final class Bench {

  // ---- configuration -------------------------------------------------------------------------

  static boolean smoke;
  static boolean writeDocs = true;
  static boolean profile = true;
  static String note = "";
  static int rounds = 3;
  static Duration warmup = Duration.ofSeconds(2);
  static Duration measure = Duration.ofSeconds(8);
  static Duration jitWarmup = Duration.ofSeconds(5);
  static int[] levels = {1, 50, 200};
  static int coldStarts = 5;
  static int heldRequests = 10_000;
  static int heldDeployments = 10;
  static Duration heldBoot = Duration.ofSeconds(90);
  static String phases = "warm,profile,cold,held";

  /** Extra arguments for the gateway of the warm path (A/B runs of a setting). */
  static final List<String> gatewayArgs = new ArrayList<>();

  // Simulator timing for every phase: an 8B-class model on one A100 (TTFT 50 ms, 10 ms per
  // token). Non-stream requests ask for 16 tokens: 50 + 15 x 10 = 200 ms per request, so 200
  // closed-loop clients offer about 1 000 requests per second.
  static final String TTFT = "50ms";
  static final String ITL = "10ms";
  static final int MAX_TOKENS = 16;
  static final String ADMIN_KEY = "zs-bench-admin-key-0123456789abcdef";

  static Path root;
  static Path work;

  /** The processes whose CPU time and run-queue wait are read around every round. */
  static long gatewayPid = -1;

  static long simPid = -1;
  static final List<Process> children = new ArrayList<>();
  static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public static void main(String[] args) throws Exception {
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--smoke" -> {
          smoke = true;
          writeDocs = false;
          profile = false;
          rounds = 1;
          warmup = Duration.ofSeconds(1);
          measure = Duration.ofSeconds(2);
          levels = new int[] {1, 20};
          coldStarts = 1;
          heldRequests = 200;
          heldDeployments = 2;
          heldBoot = Duration.ofSeconds(8);
        }
        case "--no-docs" -> writeDocs = false;
        case "--jit-warmup" -> jitWarmup = Duration.ofSeconds(Long.parseLong(args[++i]));
        case "--no-profile" -> profile = false;
        case "--note" -> note = args[++i];
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--seconds" -> measure = Duration.ofSeconds(Long.parseLong(args[++i]));
        case "--levels" ->
            levels = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--held" -> heldRequests = Integer.parseInt(args[++i]);
        case "--phases" -> phases = args[++i];
        case "--gateway-arg" -> gatewayArgs.add(args[++i]);
        case "--report" -> {
          // Re-renders docs/ from a results file (e.g. after editing the report's layout).
          root = Path.of("").toAbsolutePath();
          @SuppressWarnings("unchecked")
          Map<String, Object> r =
              (Map<String, Object>) Json.parse(Files.readString(Path.of(args[++i])));
          @SuppressWarnings("unchecked")
          List<Object> lv = (List<Object>) ((Map<String, Object>) r.get("settings")).get("levels");
          levels = lv.stream().mapToInt(o -> ((Number) o).intValue()).toArray();
          Files.writeString(root.resolve("docs/benchmarks-results.json"), Json.write(r));
          Files.writeString(root.resolve("docs/benchmarks-latency.svg"), Report.svg(r));
          Report.updateDocs(root.resolve("docs/benchmarks.md"), r);
          System.out.println(Report.summary(r));
          return;
        }
        case "--analyze" -> {
          System.out.println(Json.write(Profile.analyze(Path.of(args[++i]))));
          return;
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    root = Path.of("").toAbsolutePath();
    Path gatewayJar = root.resolve("standalone/target/zeroscale.jar");
    if (!Files.exists(gatewayJar)) {
      throw new IllegalStateException("missing " + gatewayJar + ": build the jars first");
    }
    String stamp =
        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    work = root.resolve("loadtest/results/" + stamp + (smoke ? "-smoke" : ""));
    Files.createDirectories(work);
    Runtime.getRuntime().addShutdownHook(new Thread(Bench::killChildren));
    log("work dir " + root.relativize(work) + (smoke ? " (smoke)" : ""));

    Map<String, Object> results = new LinkedHashMap<>();
    results.put("machine", machine());
    results.put(
        "settings",
        map(
            "smoke",
            smoke,
            "rounds",
            rounds,
            "warmup_s",
            warmup.toSeconds(),
            "measure_s",
            measure.toSeconds(),
            "levels",
            Arrays.stream(levels).boxed().toList(),
            "sim_time_to_first_token",
            TTFT,
            "sim_inter_token_latency",
            ITL,
            "max_tokens",
            MAX_TOKENS));
    String loadBefore = loadavg();
    int errors = 0;

    if (phases.contains("warm") || phases.contains("profile") || phases.contains("cold")) {
      Gateway gw =
          Gateway.start(
              "warm",
              List.of(),
              concat(
                  List.of(
                      "--zeroscale.runtime.process.sim.startup-duration=2s",
                      "--zeroscale.runtime.process.sim.time-to-first-token=" + TTFT,
                      "--zeroscale.runtime.process.sim.inter-token-latency=" + ITL),
                  gatewayArgs));
      try {
        String key = gw.benchKey();
        String depId = gw.createDeployment(key, "warm", 1, 256, 900);
        gw.awaitStatus(key, "warm", "running", Duration.ofSeconds(60));
        Map<String, String> inst = gw.instanceOf(depId);
        URI sim = URI.create(inst.get("url"));
        long simPid = Long.parseLong(inst.get("pid"));
        log("warm instance " + sim + " pid " + simPid);
        gatewayPid = gw.pid();
        Bench.simPid = simPid;
        Target direct = new Target("direct", sim.getHost(), sim.getPort(), null);
        Target viaGw = new Target("gateway", "127.0.0.1", gw.port, key);

        if (phases.contains("warm")) {
          Map<String, Object> warm = warmPath(direct, viaGw);
          errors += (int) warm.remove("_errors");
          results.put("warm", warm);
        }
        if (phases.contains("profile") && profile) {
          results.put("profile", profileGateway(gw, viaGw));
        }
        if (phases.contains("cold")) {
          Map<String, Object> cold = coldStart(gw, key, direct, simPid);
          errors += (int) cold.remove("_errors");
          results.put("cold_start", cold);
        }
      } finally {
        gw.stop();
      }
    }
    if (phases.contains("held")) {
      Map<String, Object> held = heldRequests();
      errors += (int) held.remove("_errors");
      results.put("held", held);
    }
    results.put("load_average_before_after", List.of(loadBefore, loadavg()));
    results.put("errors", errors);

    String json = Json.write(results);
    Files.writeString(work.resolve("results.json"), json);
    log("results: " + root.relativize(work.resolve("results.json")));
    if (writeDocs) {
      Files.writeString(root.resolve("docs/benchmarks-results.json"), json);
      Files.writeString(root.resolve("docs/benchmarks-latency.svg"), Report.svg(results));
      Report.updateDocs(root.resolve("docs/benchmarks.md"), results);
      log("wrote docs/benchmarks.md, docs/benchmarks-results.json, docs/benchmarks-latency.svg");
    }
    if (smoke) {
      log("smoke run: the verdicts below are not judged (cold JIT, seconds-long rounds); only errors fail it");
    }
    System.out.println(Report.summary(results));
    killChildren();
    if (errors > 0) {
      log("FAILED: " + errors + " errors (see " + root.relativize(work) + ")");
      System.exit(1);
    }
    log("OK");
    System.exit(0);
  }

  // ---- phase 1: warm path --------------------------------------------------------------------

  static Map<String, Object> warmPath(Target direct, Target gw) throws Exception {
    log("warm-up: JIT of gateway, simulator and client");
    for (Mode m : Mode.values()) {
      for (Target t : List.of(direct, gw)) {
        runRound(t, m, smoke ? 5 : 50, smoke ? Duration.ofSeconds(1) : jitWarmup, Duration.ZERO);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    int errors = 0;
    for (Mode m : Mode.values()) {
      List<Object> rows = new ArrayList<>();
      for (int clients : levels) {
        List<RoundResult> d = new ArrayList<>();
        List<RoundResult> g = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          // ABBA: direct first on even rounds, gateway first on odd ones, so a drift in the
          // machine's load does not always fall on the same side.
          boolean directFirst = r % 2 == 0;
          for (Target t : directFirst ? List.of(direct, gw) : List.of(gw, direct)) {
            RoundResult rr = runRound(t, m, clients, warmup, measure);
            (t == direct ? d : g).add(rr);
            errors += rr.errors.get();
            log(
                String.format(
                    Locale.ROOT,
                    "%-6s %3d clients round %d %-7s %s",
                    m.label,
                    clients,
                    r + 1,
                    t.name,
                    rr.brief()));
          }
        }
        rows.add(compare(m, clients, d, g));
      }
      out.put(m.label, rows);
    }
    out.put("_errors", errors);
    return out;
  }

  static Map<String, Object> compare(
      Mode m, int clients, List<RoundResult> d, List<RoundResult> g) {
    Stats dl = Stats.of(merge(d, rr -> rr.latency));
    Stats gl = Stats.of(merge(g, rr -> rr.latency));
    double dThr = d.stream().mapToDouble(RoundResult::throughput).average().orElse(0);
    double gThr = g.stream().mapToDouble(RoundResult::throughput).average().orElse(0);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("clients", clients);
    row.put("direct", statsMap(dl, dThr, d));
    row.put("gateway", statsMap(gl, gThr, g));
    row.put("added_p50_ms", ms(gl.p50 - dl.p50));
    row.put("added_p99_ms", ms(gl.p99 - dl.p99));
    List<Object> perRound = new ArrayList<>();
    for (int i = 0; i < d.size(); i++) {
      Stats a = Stats.of(d.get(i).latency.toArray());
      Stats b = Stats.of(g.get(i).latency.toArray());
      perRound.add(map("added_p50_ms", ms(b.p50 - a.p50), "added_p99_ms", ms(b.p99 - a.p99)));
    }
    row.put("added_per_round", perRound);
    row.put("throughput_ratio", round3(dThr == 0 ? 0 : gThr / dThr));
    if (m == Mode.STREAM) {
      Stats dt = Stats.of(merge(d, rr -> rr.ttft));
      Stats gt = Stats.of(merge(g, rr -> rr.ttft));
      Stats dg = Stats.of(merge(d, rr -> rr.gaps));
      Stats gg = Stats.of(merge(g, rr -> rr.gaps));
      row.put("ttft", map("direct", dt.toMap(), "gateway", gt.toMap()));
      row.put("added_ttft_p50_ms", ms(gt.p50 - dt.p50));
      row.put("added_ttft_p99_ms", ms(gt.p99 - dt.p99));
      row.put("gap", map("direct", dg.toMap(), "gateway", gg.toMap()));
      row.put("added_gap_p50_ms", ms(gg.p50 - dg.p50));
      row.put("added_gap_p99_ms", ms(gg.p99 - dg.p99));
    }
    return row;
  }

  static Map<String, Object> statsMap(Stats s, double thr, List<RoundResult> rs) {
    Map<String, Object> m = s.toMap();
    m.put("throughput_rps", round1(thr));
    long n = rs.stream().mapToLong(r -> r.completed.get()).sum();
    if (n > 0) {
      m.put(
          "gateway_cpu_us_per_request",
          round1(rs.stream().mapToLong(r -> r.gatewaySched[0]).sum() / 1e3 / n));
      m.put(
          "gateway_runqueue_wait_us_per_request",
          round1(rs.stream().mapToLong(r -> r.gatewaySched[1]).sum() / 1e3 / n));
      m.put(
          "sim_cpu_us_per_request",
          round1(rs.stream().mapToLong(r -> r.simSched[0]).sum() / 1e3 / n));
      m.put(
          "sim_runqueue_wait_us_per_request",
          round1(rs.stream().mapToLong(r -> r.simSched[1]).sum() / 1e3 / n));
      m.put(
          "load_generator_cpu_us_per_request",
          round1(rs.stream().mapToLong(r -> r.clientSched[0]).sum() / 1e3 / n));
      m.put("sched_note", "per request, measured windows only, from /proc/<pid>/task/*/schedstat");
    }
    m.put("errors", rs.stream().mapToInt(r -> r.errors.get()).sum());
    return m;
  }

  static long[] merge(List<RoundResult> rs, java.util.function.Function<RoundResult, Samples> f) {
    Samples all = new Samples();
    for (RoundResult r : rs) {
      all.addAll(f.apply(r));
    }
    return all.toArray();
  }

  enum Mode {
    CHAT("chat", false),
    STREAM("stream", true);
    final String label;
    final boolean stream;

    Mode(String label, boolean stream) {
      this.label = label;
      this.stream = stream;
    }
  }

  record Target(String name, String host, int port, String key) {
    byte[] request(String model, boolean stream, int maxTokens, String prompt) {
      String body =
          "{\"model\":\""
              + model
              + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
              + prompt
              + "\"}],\"max_tokens\":"
              + maxTokens
              + (stream ? ",\"stream\":true" : "")
              + "}";
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      String head =
          "POST /v1/chat/completions HTTP/1.1\r\nHost: "
              + host
              + ":"
              + port
              + "\r\nContent-Type: application/json\r\nAccept: "
              + (stream ? "text/event-stream" : "application/json")
              + "\r\n"
              + (key == null ? "" : "Authorization: Bearer " + key + "\r\n")
              + "Content-Length: "
              + b.length
              + "\r\n\r\n";
      byte[] h = head.getBytes(StandardCharsets.US_ASCII);
      byte[] all = Arrays.copyOf(h, h.length + b.length);
      System.arraycopy(b, 0, all, h.length, b.length);
      return all;
    }
  }

  static final class RoundResult {
    final Samples latency = new Samples();
    final Samples ttft = new Samples();
    final Samples gaps = new Samples();
    final AtomicInteger errors = new AtomicInteger();
    final AtomicLong completed = new AtomicLong();
    final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
    long measuredNs;

    /** {on-CPU ns, run-queue wait ns} of the gateway JVM and the simulator over the round. */
    long[] gatewaySched = {0, 0};

    long[] simSched = {0, 0};
    long[] clientSched = {0, 0};

    double throughput() {
      return measuredNs == 0 ? 0 : latency.size() * 1e9 / measuredNs;
    }

    String brief() {
      Stats s = Stats.of(latency.toArray());
      String t = "";
      if (ttft.size() > 0) {
        Stats ts = Stats.of(ttft.toArray());
        Stats gs = Stats.of(gaps.toArray());
        t =
            String.format(
                Locale.ROOT,
                " ttft p50 %.2f p99 %.2f gap p50 %.2f p99 %.2f",
                ms(ts.p50),
                ms(ts.p99),
                ms(gs.p50),
                ms(gs.p99));
      }
      long n = Math.max(1, completed.get());
      return String.format(
              Locale.ROOT,
              "n=%d %.0f rps p50 %.2f p99 %.2f ms%s errors %d | per request: gateway cpu %.0f us"
                  + " wait %.0f us, sim cpu %.0f us wait %.0f us",
              latency.size(),
              throughput(),
              ms(s.p50),
              ms(s.p99),
              t,
              errors.get(),
              gatewaySched[0] / 1e3 / n,
              gatewaySched[1] / 1e3 / n,
              simSched[0] / 1e3 / n,
              simSched[1] / 1e3 / n)
          + (errorSamples.isEmpty() ? "" : " e.g. " + errorSamples.peek());
    }
  }

  /**
   * One round: {@code clients} closed-loop clients, each on its own keep-alive connection, send
   * requests back to back; samples count only for requests that started after the warm-up and ended
   * before the deadline.
   */
  static RoundResult runRound(Target t, Mode m, int clients, Duration warm, Duration meas)
      throws InterruptedException {
    RoundResult rr = new RoundResult();
    long start = System.nanoTime() + 200_000_000L; // time for every thread to connect
    long recordFrom = start + warm.toNanos();
    long deadline = recordFrom + meas.toNanos();
    rr.measuredNs = meas.toNanos();
    CountDownLatch done = new CountDownLatch(clients);
    for (int c = 0; c < clients; c++) {
      byte[] req = t.request("warm", m.stream, MAX_TOKENS, "benchmark prompt");
      Thread.ofPlatform()
          .name("load-" + t.name + "-" + c)
          .daemon()
          .start(
              () -> {
                Conn conn = null;
                try {
                  while (System.nanoTime() < start) {
                    Thread.sleep(1);
                  }
                  while (System.nanoTime() < deadline) {
                    try {
                      if (conn == null) {
                        conn = new Conn(t.host, t.port, 30_000);
                      }
                      Exchange ex = conn.exchange(req, m.stream);
                      boolean ok = ex.status == 200 && (!m.stream || ex.done);
                      if (!ok) {
                        if (System.nanoTime() < deadline) {
                          rr.errors.incrementAndGet();
                          if (rr.errorSamples.size() < 3) {
                            rr.errorSamples.add("status " + ex.status + " done " + ex.done);
                          }
                        }
                      } else if (ex.startNs >= recordFrom && ex.endNs <= deadline) {
                        rr.completed.incrementAndGet();
                        rr.latency.add(ex.endNs - ex.startNs);
                        if (m.stream) {
                          rr.ttft.add(ex.events.get(0) - ex.startNs);
                          for (int i = 1; i < ex.events.size(); i++) {
                            rr.gaps.add(ex.events.get(i) - ex.events.get(i - 1));
                          }
                        }
                      }
                      if (ex.close) {
                        conn.close();
                        conn = null;
                      }
                    } catch (IOException e) {
                      if (System.nanoTime() < deadline) {
                        rr.errors.incrementAndGet();
                        if (rr.errorSamples.size() < 3) {
                          rr.errorSamples.add(e.toString());
                        }
                      }
                      if (conn != null) {
                        conn.close();
                      }
                      conn = null;
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } finally {
                  if (conn != null) {
                    conn.close();
                  }
                  done.countDown();
                }
              });
    }
    // CPU time and run-queue wait of the gateway and simulator JVMs over the measured window
    // only (read from /proc/<pid>/task/*/schedstat): what a request costs each process, and how
    // long its threads were runnable but waiting for a core (the machine's contention).
    while (System.nanoTime() < recordFrom) {
      Thread.sleep(1);
    }
    long[] g0 = schedstat(gatewayPid);
    long[] s0 = schedstat(simPid);
    long[] c0 = schedstat(ProcessHandle.current().pid());
    while (System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    long[] g1 = schedstat(gatewayPid);
    long[] s1 = schedstat(simPid);
    long[] c1 = schedstat(ProcessHandle.current().pid());
    rr.clientSched = new long[] {c1[0] - c0[0], c1[1] - c0[1]};
    rr.gatewaySched = new long[] {g1[0] - g0[0], g1[1] - g0[1]};
    rr.simSched = new long[] {s1[0] - s0[0], s1[1] - s0[1]};
    if (!done.await(meas.toSeconds() + warm.toSeconds() + 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("round did not finish");
    }
    return rr;
  }

  // ---- phase 2: profile ----------------------------------------------------------------------

  static Map<String, Object> profileGateway(Gateway gw, Target viaGw) throws Exception {
    int clients = levels[levels.length - 1];
    Map<String, Object> out = new LinkedHashMap<>();
    for (Mode m : Mode.values()) {
      Path jfr = work.resolve("gateway-" + m.label + "-" + clients + ".jfr");
      log(
          "profiling the gateway with JFR at "
              + clients
              + " clients, "
              + m.label
              + " (not counted)");
      // jdk.CPUTimeSample (JDK 25, Linux): samples by CPU time, native frames included, so time
      // spent writing to sockets counts too; jdk.ExecutionSample only sees threads in Java code.
      jcmd(
          gw.pid(),
          "JFR.start",
          "name=bench",
          "settings=profile",
          "jdk.CPUTimeSample#enabled=true",
          "jdk.CPUTimeSample#throttle=2ms",
          "filename=" + jfr);
      RoundResult rr = runRound(viaGw, m, clients, Duration.ofSeconds(2), measure);
      jcmd(gw.pid(), "JFR.stop", "name=bench");
      log("profile round " + rr.brief());
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("file", root.relativize(jfr).toString());
      p.put("clients", clients);
      p.put("requests", rr.latency.size());
      p.putAll(Profile.analyze(jfr));
      out.put(m.label, p);
    }
    return out;
  }

  // ---- phase 3: cold start -------------------------------------------------------------------

  static Map<String, Object> coldStart(Gateway gw, String key, Target direct, long simPid)
      throws Exception {
    List<String> simCmd = cmdline(simPid);
    log("instance command: " + String.join(" ", simCmd));
    List<Object> samples = new ArrayList<>();
    int errors = 0;
    for (int i = 0; i < coldStarts; i++) {
      // Alternate which one runs first, as in the warm path.
      long[] own = i % 2 == 0 ? ownBoot(simCmd, direct) : null;
      String name = "cold" + i;
      String dep = gw.createDeployment(key, name, 0, 256, 900);
      gw.awaitStatus(key, name, "scaled_to_zero", Duration.ofSeconds(30));
      Target t = new Target("gateway", "127.0.0.1", gw.port, key);
      Exchange ex;
      long sentWallMs;
      // Watches the instance the activator starts: its /health polled every 2 ms from here, so
      // the moment it turned 200 is known without trusting the boot time of another JVM.
      long[] healthyWallMs = {-1};
      Thread watcher =
          Thread.ofPlatform().daemon().start(() -> healthyWallMs[0] = watchHealth(gw, dep));
      try (Conn c = new Conn(t.host, t.port, 120_000)) {
        sentWallMs = System.currentTimeMillis();
        ex = c.exchange(t.request(name, false, 1, "cold start"), false);
      }
      watcher.join(5000);
      long firstByteWallMs = sentWallMs + (ex.firstByteNs - ex.startNs) / 1_000_000;
      if (own == null) {
        own = ownBoot(simCmd, direct);
      }
      long ttfb = ex.firstByteNs - ex.startNs;
      if (ex.status != 200) {
        errors++;
      }
      long overhead = ttfb - own[1];
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("status", ex.status);
      s.put("first_byte_ms", ms(ttfb));
      s.put("own_health_ms", ms(own[0]));
      s.put("own_first_byte_ms", ms(own[1]));
      s.put("overhead_ms", ms(overhead));
      s.put("x_zeroscale_cold_start_wait_ms", ex.headers.get("x-zeroscale-cold-start-wait-ms"));
      // Where the time went, from the gateway's log (millisecond wall clock, same machine).
      Map<String, Long> marks = gw.logMarks("bench/" + name);
      if (marks.containsKey("started") && marks.containsKey("ready")) {
        s.put("request_to_process_started_ms", marks.get("started") - sentWallMs);
        s.put("process_started_to_ready_ms", marks.get("ready") - marks.get("started"));
        s.put("ready_to_first_byte_ms", firstByteWallMs - marks.get("ready"));
        if (healthyWallMs[0] > 0) {
          // The gateway's part, free of the instance's boot-time noise: getting the process
          // started, noticing its health, and the way from "ready" to the client beyond what
          // the instance's own first request takes.
          long notice = marks.get("ready") - healthyWallMs[0];
          long relay = firstByteWallMs - marks.get("ready") - (own[1] - own[0]) / 1_000_000;
          s.put("instance_healthy_to_ready_ms", notice);
          s.put(
              "overhead_decomposed_ms",
              (double) (marks.get("started") - sentWallMs + notice + relay));
        }
      }
      samples.add(s);
      log("cold start " + i + ": " + s);
      gw.delete(key, dep);
    }
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
    out.put("_errors", errors);
    return out;
  }

  /** Wall-clock ms at which the deployment's first instance answered /health 200, or -1. */
  static long watchHealth(Gateway gw, String deploymentId) {
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
  static long[] ownBoot(List<String> cmd, Target direct) throws Exception {
    int port = freePort();
    List<String> c = new ArrayList<>();
    for (String a : cmd) {
      c.add(a.startsWith("--port=") ? "--port=" + port : a);
    }
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(c)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("own-boot.log").toFile())
            .start();
    try {
      long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        if (healthStatus(port) == 200) {
          long health = System.nanoTime() - t0;
          Target t = new Target("direct", "127.0.0.1", port, null);
          try (Conn conn = new Conn(t.host, t.port, 30_000)) {
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

  // ---- phase 4: held requests ----------------------------------------------------------------

  static Map<String, Object> heldRequests() throws Exception {
    Gateway gw =
        Gateway.start(
            "held",
            List.of("-Xmx1g"),
            List.of(
                "--zeroscale.runtime.process.gpus=" + Math.max(8, heldDeployments),
                "--zeroscale.runtime.process.sim.startup-duration=" + heldBoot.toSeconds() + "s",
                // One bench key holds every request: lift the default per-key bound (2048).
                "--zeroscale.gateway.per-key.max-in-flight=" + Math.max(2048, heldRequests),
                "--zeroscale.runtime.process.sim.time-to-first-token=" + TTFT,
                "--zeroscale.runtime.process.sim.inter-token-latency=" + ITL));
    Map<String, Object> out = new LinkedHashMap<>();
    int errors = 0;
    try {
      String key = gw.benchKey();
      List<String> names = new ArrayList<>();
      for (int i = 0; i < heldDeployments; i++) {
        names.add("held" + i);
        gw.createDeployment(key, "held" + i, 0, 256, 3600);
      }
      for (String n : names) {
        gw.awaitStatus(key, n, "scaled_to_zero", Duration.ofSeconds(30));
      }
      Thread.sleep(2000);
      Mem before = Mem.of(gw.pid());
      log("held: before " + before);
      AtomicInteger finished = new AtomicInteger();
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger sent = new AtomicInteger();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      CountDownLatch all = new CountDownLatch(heldRequests);
      java.util.concurrent.Semaphore connecting = new java.util.concurrent.Semaphore(256);
      long t0 = System.nanoTime();
      for (int i = 0; i < heldRequests; i++) {
        String name = names.get(i % names.size());
        Thread.ofVirtual()
            .start(
                () -> {
                  Target t = new Target("gateway", "127.0.0.1", gw.port, key);
                  Conn conn;
                  try {
                    // At most 256 connects in flight: 10 000 at once overflow the listen
                    // backlog (SYN queue), which says nothing about holding requests.
                    connecting.acquire();
                    try {
                      conn = new Conn(t.host, t.port, 0, 60_000);
                    } finally {
                      connecting.release();
                    }
                  } catch (IOException | InterruptedException e) {
                    if (failures.size() < 5) {
                      failures.add("connect: " + e);
                    }
                    finished.incrementAndGet();
                    all.countDown();
                    return;
                  }
                  try (Conn c = conn) {
                    Exchange ex =
                        c.exchange(
                            t.request(name, true, 4, "held request"), true, sent::incrementAndGet);
                    if (ex.status == 200 && ex.done) {
                      ok.incrementAndGet();
                    } else if (failures.size() < 5) {
                      failures.add("status " + ex.status + " done " + ex.done);
                    }
                  } catch (IOException e) {
                    if (failures.size() < 5) {
                      failures.add(e.toString());
                    }
                  } finally {
                    finished.incrementAndGet();
                    all.countDown();
                  }
                });
      }
      // Every request is held once the gateways' published queue depths add up to the count.
      long depth = 0;
      long deadline = System.nanoTime() + Math.max(10, heldBoot.toSeconds() - 5) * 1_000_000_000L;
      while (System.nanoTime() < deadline) {
        depth = gw.totalQueueDepth(key);
        if (depth >= heldRequests) {
          break;
        }
        Thread.sleep(250);
      }
      long holdAllMs = (System.nanoTime() - t0) / 1_000_000;
      log("held: queue depth " + depth + " of " + heldRequests + " after " + holdAllMs + " ms");
      Mem held = Mem.of(gw.pid());
      int finishedWhileMeasured = finished.get();
      log("held: while holding " + held + ", finished early " + finishedWhileMeasured);
      boolean allDone = all.await(heldBoot.toSeconds() + 180, TimeUnit.SECONDS);
      long servedMs = (System.nanoTime() - t0) / 1_000_000;
      errors += heldRequests - ok.get();
      if (depth < heldRequests || finishedWhileMeasured > 0) {
        errors++;
      }
      out.put("held_requests", heldRequests);
      out.put("deployments", heldDeployments);
      out.put("gateway_heap_max", "-Xmx1g");
      out.put("queue_depth_seen", depth);
      out.put("all_held_after_ms", holdAllMs);
      out.put("before", before.toMap());
      out.put("held", held.toMap());
      out.put(
          "heap_per_held_request_kib",
          round1((held.heapUsedKib - before.heapUsedKib) / (double) heldRequests));
      out.put("finished_before_measurement", finishedWhileMeasured);
      out.put("served_ok", ok.get());
      out.put("all_finished", allDone);
      out.put("all_finished_after_ms", servedMs);
      out.put("failures", List.copyOf(failures));
      log("held: served " + ok.get() + " of " + heldRequests + " " + failures);
    } finally {
      gw.stop();
    }
    out.put("_errors", errors);
    return out;
  }

  record Mem(long heapUsedKib, long heapCommittedKib, int threads, long rssKib) {
    static Mem of(long pid) throws Exception {
      jcmd(pid, "GC.run");
      jcmd(pid, "GC.run");
      String info = jcmd(pid, "GC.heap_info");
      Matcher m =
          Pattern.compile("total (?:reserved \\d+K, committed )?(\\d+)K, used (\\d+)K")
              .matcher(info);
      long committed = -1;
      long used = -1;
      if (m.find()) {
        committed = Long.parseLong(m.group(1));
        used = Long.parseLong(m.group(2));
      }
      String status = Files.readString(Path.of("/proc/" + pid + "/status"));
      int threads = Integer.parseInt(field(status, "Threads"));
      long rss = Long.parseLong(field(status, "VmRSS").replace("kB", "").trim());
      return new Mem(used, committed, threads, rss);
    }

    static String field(String status, String name) {
      Matcher m = Pattern.compile("(?m)^" + name + ":\\s*(.+)$").matcher(status);
      return m.find() ? m.group(1).trim() : "-1";
    }

    Map<String, Object> toMap() {
      return map(
          "heap_used_mib", round1(heapUsedKib / 1024.0),
          "heap_committed_mib", round1(heapCommittedKib / 1024.0),
          "threads", threads,
          "rss_mib", round1(rssKib / 1024.0));
    }

    @Override
    public String toString() {
      return toMap().toString();
    }
  }

  // ---- the standalone gateway ----------------------------------------------------------------

  static final class Gateway {
    final Process process;
    final int port;
    final Path home;
    final String logName;

    Gateway(Process process, int port, Path home, String logName) {
      this.process = process;
      this.port = port;
      this.home = home;
      this.logName = logName;
    }

    long pid() {
      return process.pid();
    }

    static Gateway start(String name, List<String> jvm, List<String> args) throws Exception {
      int port = freePort();
      Path home = work.resolve(name + "-home");
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(jvm);
      cmd.add("-jar");
      cmd.add(root.resolve("standalone/target/zeroscale.jar").toString());
      cmd.add("--server.port=" + port);
      cmd.addAll(args);
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(root.toFile())
              .redirectErrorStream(true)
              .redirectOutput(work.resolve(name + "-gateway.log").toFile());
      pb.environment().put("ZEROSCALE_HOME", home.toString());
      pb.environment().put("ZEROSCALE_ADMIN_KEY", ADMIN_KEY);
      // The hub is unreachable here: a closed port fails the lookup at once (model unverified).
      pb.environment().put("ZEROSCALE_HUB_URL", "http://127.0.0.1:9");
      pb.environment().remove("JAVA_TOOL_OPTIONS");
      log("starting gateway '" + name + "' on port " + port + " " + String.join(" ", args));
      Process p = pb.start();
      children.add(p);
      Gateway gw = new Gateway(p, port, home, name + "-gateway.log");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException("gateway exited; see " + name + "-gateway.log");
        }
        try {
          HttpResponse<String> r = gw.call("GET", "/actuator/health", null, null);
          if (r.statusCode() == 200 && r.body().contains("UP")) {
            return gw;
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
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
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

    long totalQueueDepth(String key) throws Exception {
      String body = expect(200, "GET", "/api/v1/deployments", key, null).body();
      Matcher m = Pattern.compile("\"queue_depth\":(\\d+)").matcher(body);
      long sum = 0;
      while (m.find()) {
        sum += Long.parseLong(m.group(1));
      }
      return sum;
    }

    /** The instance the process runtime started for a deployment: its state file. */
    Map<String, String> instanceOf(String deploymentId) throws Exception {
      try (var files = Files.list(home.resolve("instances"))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
          String s = Files.readString(f);
          if (deploymentId.equals(Json.str(s, "deployment_id"))) {
            return Map.of("url", Json.str(s, "url"), "pid", Json.raw(s, "pid"));
          }
        }
      }
      throw new IllegalStateException("no instance state file for " + deploymentId);
    }

    /** Wall-clock marks of an instance's life from the gateway's log: started, ready. */
    Map<String, Long> logMarks(String fullName) throws IOException {
      Map<String, Long> out = new HashMap<>();
      for (String l : Files.readAllLines(work.resolve(logName))) {
        if (!l.contains("of " + fullName + " ")) {
          continue;
        }
        String kind =
            l.contains("Started instance")
                ? "started"
                : l.contains(" is ready at ") ? "ready" : null;
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

  // ---- a minimal HTTP/1.1 client -------------------------------------------------------------

  static final class Exchange {
    int status;
    long startNs;
    long firstByteNs;
    long endNs;
    boolean close;
    boolean done;
    final List<Long> events = new ArrayList<>();
    final Map<String, String> headers = new HashMap<>();
  }

  static final class Conn implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    Conn(String host, int port, int timeoutMs) throws IOException {
      this(host, port, timeoutMs, 5000);
    }

    Conn(String host, int port, int timeoutMs, int connectTimeoutMs) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), connectTimeoutMs);
      socket.setSoTimeout(timeoutMs);
      in = new BufferedInputStream(socket.getInputStream(), 16384);
      out = socket.getOutputStream();
    }

    Exchange exchange(byte[] request, boolean sse) throws IOException {
      return exchange(request, sse, null);
    }

    Exchange exchange(byte[] request, boolean sse, Runnable afterSend) throws IOException {
      Exchange ex = new Exchange();
      ex.startNs = System.nanoTime();
      out.write(request);
      out.flush();
      if (afterSend != null) {
        afterSend.run();
      }
      String statusLine = line();
      ex.firstByteNs = System.nanoTime();
      if (statusLine == null) {
        throw new IOException("connection closed before the status line");
      }
      ex.status = Integer.parseInt(statusLine.split(" ")[1]);
      long length = -1;
      boolean chunked = false;
      for (String h = line(); h != null && !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        ex.headers.put(name, value);
        switch (name) {
          case "content-length" -> length = Long.parseLong(value);
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          case "connection" -> ex.close = value.equalsIgnoreCase("close");
          default -> {}
        }
      }
      Sse parser = sse && ex.status == 200 ? new Sse(ex) : null;
      if (chunked) {
        while (true) {
          String sizeLine = line();
          if (sizeLine == null) {
            throw new IOException("connection closed inside a chunked body");
          }
          int semi = sizeLine.indexOf(';');
          int size =
              Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
          if (size == 0) {
            while (true) {
              String trailer = line();
              if (trailer == null || trailer.isEmpty()) {
                break;
              }
            }
            break;
          }
          byte[] chunk = in.readNBytes(size);
          if (chunk.length < size) {
            throw new IOException("connection closed inside a chunk");
          }
          if (parser != null) {
            parser.feed(chunk);
          }
          line(); // CRLF after the chunk
        }
      } else if (length >= 0) {
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) {
          throw new IOException("connection closed inside the body");
        }
        if (parser != null) {
          parser.feed(body);
        }
      } else {
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
          if (parser != null) {
            parser.feed(Arrays.copyOf(buf, n));
          }
        }
        ex.close = true;
      }
      ex.endNs = System.nanoTime();
      return ex;
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream(64);
      int c;
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          int n = b.size();
          byte[] a = b.toByteArray();
          return new String(a, 0, n > 0 && a[n - 1] == '\r' ? n - 1 : n, StandardCharsets.US_ASCII);
        }
        b.write(c);
      }
      return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  /** SSE lines: every complete {@code data:} line is an event, stamped when its bytes arrived. */
  static final class Sse {
    final Exchange ex;
    final ByteArrayOutputStream line = new ByteArrayOutputStream(512);

    Sse(Exchange ex) {
      this.ex = ex;
    }

    void feed(byte[] bytes) {
      long now = System.nanoTime();
      for (byte b : bytes) {
        if (b == '\n') {
          String l = line.toString(StandardCharsets.UTF_8);
          line.reset();
          if (l.startsWith("data:")) {
            if (l.substring(5).trim().equals("[DONE]")) {
              ex.done = true;
            } else {
              ex.events.add(now);
            }
          }
        } else if (b != '\r') {
          line.write(b);
        }
      }
    }
  }

  // ---- statistics ----------------------------------------------------------------------------

  /** A growable array of nanosecond samples, safe to add to from many threads. */
  static final class Samples {
    private long[] a = new long[1024];
    private int n;

    synchronized void add(long v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    synchronized void addAll(Samples o) {
      for (long v : o.toArray()) {
        add(v);
      }
    }

    synchronized int size() {
      return n;
    }

    synchronized long[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }

  record Stats(int n, long p50, long p90, long p99, long max, double mean) {
    static Stats of(long[] v) {
      if (v.length == 0) {
        return new Stats(0, 0, 0, 0, 0, 0);
      }
      long[] s = v.clone();
      Arrays.sort(s);
      return new Stats(
          s.length,
          pct(s, 0.50),
          pct(s, 0.90),
          pct(s, 0.99),
          s[s.length - 1],
          Arrays.stream(s).average().orElse(0));
    }

    static long pct(long[] sorted, double q) {
      int i = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    Map<String, Object> toMap() {
      return map(
          "n",
          n,
          "p50_ms",
          ms(p50),
          "p90_ms",
          ms(p90),
          "p99_ms",
          ms(p99),
          "max_ms",
          ms(max),
          "mean_ms",
          round3(mean / 1e6));
    }
  }

  // ---- JFR -----------------------------------------------------------------------------------

  static final class Profile {
    static Map<String, Object> analyze(Path jfr) throws IOException {
      Map<String, Integer> self = new HashMap<>();
      Map<String, Integer> inclusive = new HashMap<>();
      Map<String, Integer> layers = new HashMap<>();
      Map<String, Integer> threads = new HashMap<>();
      Map<String, Integer> inclusiveLibs = new HashMap<>();
      int samples = 0;
      List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
      String event =
          events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.CPUTimeSample"))
              ? "jdk.CPUTimeSample"
              : "jdk.ExecutionSample";
      for (RecordedEvent e : events) {
        if (!e.getEventType().getName().equals(event) || e.getStackTrace() == null) {
          continue;
        }
        String thread = "";
        try {
          thread =
              e.getThread("sampledThread") == null
                  ? ""
                  : e.getThread("sampledThread").getJavaName();
        } catch (IllegalArgumentException noSuchField) {
          thread = e.getThread() == null ? "" : e.getThread().getJavaName();
        }
        List<RecordedFrame> frames = e.getStackTrace().getFrames();
        if (frames.isEmpty()) {
          continue;
        }
        samples++;
        self.merge(name(frames.get(0)), 1, Integer::sum);
        threads.merge(thread == null ? "?" : thread.replaceAll("-\\d+$", "-N"), 1, Integer::sum);
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Set<String> libs = new java.util.HashSet<>();
        String layer = null;
        for (RecordedFrame f : frames) {
          String n = name(f);
          String lib = layerOf(n);
          if (lib != null && libs.add(lib)) {
            inclusiveLibs.merge(lib, 1, Integer::sum);
          }
          if (n.startsWith("io.zeroscale.") || n.startsWith("org.springframework.cloud.gateway.")) {
            if (seen.add(n)) {
              inclusive.merge(n, 1, Integer::sum);
            }
          }
          if (layer == null) {
            layer = layerOf(n);
          }
        }
        layers.merge(
            layer == null
                ? "other (" + (thread == null ? "?" : thread.replaceAll("-\\d+$", "")) + ")"
                : layer,
            1,
            Integer::sum);
      }
      return map(
          "event", event,
          "samples", samples,
          "by_thread", top(threads, 10, samples),
          "top_self", top(self, 20, samples),
          "top_inclusive_gateway_code", top(inclusive, 20, samples),
          "by_top_layer", top(layers, 20, samples),
          "library_on_stack", top(inclusiveLibs, 20, samples));
    }

    /** The first frame's library, from the leaf: where the CPU was actually spent. */
    static String layerOf(String n) {
      String[][] prefixes = {
        {"io.zeroscale.", "zeroscale"},
        {"org.springframework.cloud.gateway.", "spring cloud gateway"},
        {"org.springframework.", "spring framework"},
        {"reactor.netty.", "reactor netty"},
        {"reactor.", "reactor core"},
        {"io.netty.", "netty"},
        {"tools.jackson.", "jackson"},
        {"com.fasterxml.jackson.", "jackson"},
        {"io.micrometer.", "micrometer"},
        {"io.opentelemetry.", "opentelemetry"},
        {"org.redisson.", "redisson"},
        {"sun.nio.", "jdk nio"},
        {"java.", "jdk"},
        {"jdk.", "jdk"},
        {"sun.", "jdk"},
      };
      for (String[] p : prefixes) {
        if (n.startsWith(p[0])) {
          return p[1];
        }
      }
      return null;
    }

    static String name(RecordedFrame f) {
      return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    static List<Object> top(Map<String, Integer> counts, int k, int total) {
      return counts.entrySet().stream()
          .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
          .limit(k)
          .map(
              en ->
                  (Object)
                      map(
                          "frame",
                          en.getKey(),
                          "samples",
                          en.getValue(),
                          "share",
                          round3(en.getValue() / (double) total)))
          .toList();
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  static String jcmd(long pid, String... cmd) throws Exception {
    List<String> c = new ArrayList<>();
    c.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    c.add(Long.toString(pid));
    c.addAll(List.of(cmd));
    Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  /** Sum over a process's threads of {time on CPU, time runnable but waiting}, in ns. */
  static long[] schedstat(long pid) {
    long[] sum = {0, 0};
    if (pid <= 0) {
      return sum;
    }
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : tasks.toList()) {
        try {
          // JIT compiler threads are the JVM warming up, not the cost of a request.
          if (Files.readString(t.resolve("comm")).startsWith("C2 Compiler")
              || Files.readString(t.resolve("comm")).startsWith("C1 Compiler")) {
            continue;
          }
          String[] f = Files.readString(t.resolve("schedstat")).trim().split("\\s+");
          sum[0] += Long.parseLong(f[0]);
          sum[1] += Long.parseLong(f[1]);
        } catch (IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc: not Linux
    }
    return sum;
  }

  static List<String> cmdline(long pid) throws IOException {
    byte[] b = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < b.length; i++) {
      if (b[i] == 0) {
        out.add(new String(b, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    return out;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void killChildren() {
    for (Process p : children) {
      if (p.isAlive()) {
        p.destroy();
      }
    }
  }

  static Map<String, Object> machine() throws Exception {
    String cpu = "?";
    for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (l.startsWith("model name")) {
        cpu = l.substring(l.indexOf(':') + 1).trim();
        break;
      }
    }
    String mem = Mem.field(Files.readString(Path.of("/proc/meminfo")), "MemTotal");
    String commit = "?";
    try {
      Process p =
          new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
              .directory(root.toFile())
              .start();
      commit = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
    } catch (IOException e) {
      // no git
    }
    return map(
        "date",
        DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC).format(Instant.now()),
        "commit",
        commit,
        "cpus",
        Runtime.getRuntime().availableProcessors(),
        "cpu",
        cpu,
        "memory",
        round1(Long.parseLong(mem.replace("kB", "").trim()) / 1024.0 / 1024.0) + " GiB",
        "java",
        System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
        "note",
        note);
  }

  static String loadavg() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }

  static void log(String s) {
    System.out.println(
        DateTimeFormatter.ISO_LOCAL_TIME
                .withZone(ZoneOffset.UTC)
                .format(Instant.now())
                .substring(0, 8)
            + " "
            + s);
  }

  static double ms(long ns) {
    return round3(ns / 1e6);
  }

  static double ms(double ns) {
    return round3(ns / 1e6);
  }

  static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** Just enough JSON for this program: writing maps and lists, reading flat string fields. */
  static final class Json {
    /** Parses what {@link #write} writes (objects, arrays, strings, numbers, booleans, null). */
    static Object parse(String text) {
      int[] pos = {0};
      return value(text, pos);
    }

    private static void ws(String t, int[] p) {
      while (p[0] < t.length() && Character.isWhitespace(t.charAt(p[0]))) {
        p[0]++;
      }
    }

    private static Object value(String t, int[] p) {
      ws(t, p);
      char c = t.charAt(p[0]);
      if (c == '{') {
        Map<String, Object> m = new LinkedHashMap<>();
        p[0]++;
        ws(t, p);
        if (t.charAt(p[0]) == '}') {
          p[0]++;
          return m;
        }
        while (true) {
          ws(t, p);
          String k = (String) value(t, p);
          ws(t, p);
          p[0]++; // ':'
          m.put(k, value(t, p));
          ws(t, p);
          if (t.charAt(p[0]++) == '}') {
            return m;
          }
        }
      }
      if (c == '[') {
        List<Object> l = new ArrayList<>();
        p[0]++;
        ws(t, p);
        if (t.charAt(p[0]) == ']') {
          p[0]++;
          return l;
        }
        while (true) {
          l.add(value(t, p));
          ws(t, p);
          if (t.charAt(p[0]++) == ']') {
            return l;
          }
        }
      }
      if (c == '"') {
        StringBuilder sb = new StringBuilder();
        p[0]++;
        while (true) {
          char ch = t.charAt(p[0]++);
          if (ch == '"') {
            return sb.toString();
          }
          if (ch == '\\') {
            char e = t.charAt(p[0]++);
            switch (e) {
              case 'n' -> sb.append('\n');
              case 'u' -> {
                sb.append((char) Integer.parseInt(t.substring(p[0], p[0] + 4), 16));
                p[0] += 4;
              }
              default -> sb.append(e);
            }
          } else {
            sb.append(ch);
          }
        }
      }
      int start = p[0];
      while (p[0] < t.length() && ",}] \n\r\t".indexOf(t.charAt(p[0])) < 0) {
        p[0]++;
      }
      String tok = t.substring(start, p[0]);
      return switch (tok) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        case "null" -> null;
        default ->
            tok.contains(".") || tok.contains("e") || tok.contains("E")
                ? (Object) Double.parseDouble(tok)
                : (Object) Long.parseLong(tok);
      };
    }

    static String str(String json, String field) {
      Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
      if (!m.find()) {
        throw new IllegalStateException("no " + field + " in " + json);
      }
      return m.group(1);
    }

    static String raw(String json, String field) {
      Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*([^,}]+)").matcher(json);
      if (!m.find()) {
        throw new IllegalStateException("no " + field + " in " + json);
      }
      return m.group(1).trim();
    }

    static String write(Object o) {
      StringBuilder sb = new StringBuilder();
      write(sb, o, "");
      return sb.append('\n').toString();
    }

    static void write(StringBuilder sb, Object o, String indent) {
      if (o instanceof Map<?, ?> m) {
        if (m.isEmpty()) {
          sb.append("{}");
          return;
        }
        sb.append("{\n");
        int i = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          sb.append(indent).append("  ");
          string(sb, e.getKey().toString());
          sb.append(": ");
          write(sb, e.getValue(), indent + "  ");
          sb.append(++i < m.size() ? ",\n" : "\n");
        }
        sb.append(indent).append('}');
      } else if (o instanceof List<?> l) {
        boolean flat = l.stream().noneMatch(x -> x instanceof Map || x instanceof List);
        if (flat) {
          sb.append('[');
          for (int i = 0; i < l.size(); i++) {
            write(sb, l.get(i), indent);
            if (i + 1 < l.size()) {
              sb.append(", ");
            }
          }
          sb.append(']');
          return;
        }
        sb.append("[\n");
        for (int i = 0; i < l.size(); i++) {
          sb.append(indent).append("  ");
          write(sb, l.get(i), indent + "  ");
          sb.append(i + 1 < l.size() ? ",\n" : "\n");
        }
        sb.append(indent).append(']');
      } else if (o == null) {
        sb.append("null");
      } else if (o instanceof Number || o instanceof Boolean) {
        sb.append(o);
      } else {
        string(sb, o.toString());
      }
    }

    static void string(StringBuilder sb, String s) {
      sb.append('"');
      for (char c : s.toCharArray()) {
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          default -> {
            if (c < 0x20) {
              sb.append(String.format("\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
      sb.append('"');
    }
  }

  // ---- report: summary, Markdown table, SVG chart --------------------------------------------

  static final class Report {
    static final String BEGIN =
        "<!-- bench:begin (generated by loadtest/bench.sh; edits inside are overwritten) -->";
    static final String END = "<!-- bench:end -->";

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rows(Map<String, Object> r, String mode) {
      Object warm = r.get("warm");
      if (!(warm instanceof Map<?, ?> w) || w.get(mode) == null) {
        return List.of();
      }
      return (List<Map<String, Object>>) w.get(mode);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> sub(Map<String, Object> m, String k) {
      return (Map<String, Object>) m.get(k);
    }

    static double d(Object o) {
      return o == null ? Double.NaN : ((Number) o).doubleValue();
    }

    static String f(double v) {
      return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    static Map<String, Object> at(List<Map<String, Object>> rows, int clients) {
      for (Map<String, Object> row : rows) {
        if (d(row.get("clients")) == clients) {
          return row;
        }
      }
      return rows.isEmpty() ? null : rows.get(rows.size() - 1);
    }

    /** One line per target of SPEC §7: target, measured, verdict. */
    static List<String[]> targets(Map<String, Object> r) {
      List<String[]> t = new ArrayList<>();
      int top = levels[levels.length - 1];
      Map<String, Object> chat = at(rows(r, "chat"), top);
      if (chat != null) {
        double p50 = d(chat.get("added_p50_ms"));
        double p99 = d(chat.get("added_p99_ms"));
        double thr = d(chat.get("throughput_ratio"));
        t.add(
            verdict(
                "added p50 latency, non-stream, " + d0(chat.get("clients")) + " clients",
                "≤ 1 ms",
                f(p50) + " ms",
                p50 <= 1,
                f(p50 - 1) + " ms over"));
        t.add(
            verdict(
                "added p99 latency, non-stream, " + d0(chat.get("clients")) + " clients",
                "≤ 5 ms",
                f(p99) + " ms",
                p99 <= 5,
                f(p99 - 5) + " ms over"));
        t.add(
            verdict(
                "throughput vs direct, non-stream, " + d0(chat.get("clients")) + " clients",
                "≥ 70 %",
                pct(thr),
                thr >= 0.70,
                pct(0.70 - thr) + " short"));
      }
      Map<String, Object> st = at(rows(r, "stream"), top);
      if (st != null) {
        double ttft = d(st.get("added_ttft_p50_ms"));
        double ttft99 = d(st.get("added_ttft_p99_ms"));
        double gap = d(st.get("added_gap_p99_ms"));
        t.add(
            verdict(
                "added TTFT p50 (p99), stream, " + d0(st.get("clients")) + " clients",
                "≤ 2 ms",
                f(ttft) + " ms (" + f(ttft99) + " ms)",
                ttft <= 2,
                f(ttft - 2) + " ms over"));
        t.add(
            verdict(
                "added inter-event gap p99, stream, " + d0(st.get("clients")) + " clients",
                "≤ 1 ms",
                f(gap) + " ms",
                gap <= 1,
                f(gap - 1) + " ms over"));
      }
      if (r.get("cold_start") instanceof Map<?, ?> c) {
        double med = d(c.get("overhead_median_ms"));
        double max = d(c.get("overhead_max_ms"));
        t.add(
            verdict(
                "cold-start overhead: first byte − the instance's own first byte, median (max)",
                "≤ 100 ms",
                f(med) + " ms (" + f(max) + " ms)",
                med <= 100,
                f(med - 100) + " ms over"));
        if (c.get("overhead_decomposed_median_ms") != null) {
          double dm = d(c.get("overhead_decomposed_median_ms"));
          double dx = d(c.get("overhead_decomposed_max_ms"));
          t.add(
              verdict(
                  "cold-start overhead: the gateway's own steps, median (max)",
                  "≤ 100 ms",
                  f(dm) + " ms (" + f(dx) + " ms)",
                  dm <= 100,
                  f(dm - 100) + " ms over"));
        }
      }
      if (r.get("held") instanceof Map<?, ?> h) {
        double heap = d(((Map<?, ?>) h.get("held")).get("heap_used_mib"));
        boolean ok = d(h.get("served_ok")) == d(h.get("held_requests"));
        boolean allHeld =
            d(h.get("queue_depth_seen")) >= d(h.get("held_requests"))
                && d(h.get("finished_before_measurement")) == 0;
        t.add(
            verdict(
                d0(h.get("held_requests"))
                    + " held requests on one gateway (-Xmx1g): heap after GC while all are held",
                "< 1024 MiB, no error",
                f(heap) + " MiB, " + (allHeld ? "all held, none failed" : "not all held"),
                heap < 1024 && allHeld,
                allHeld ? f(heap - 1024) + " MiB over" : "errors while holding"));
        t.add(
            verdict(
                "… then released: every held stream served to `[DONE]`",
                "no error",
                d0(h.get("served_ok")) + " of " + d0(h.get("held_requests")),
                ok,
                d0(d(h.get("held_requests")) - d(h.get("served_ok"))) + " requests"));
      }
      return t;
    }

    static String d0(Object o) {
      return String.valueOf((long) d(o));
    }

    static String pct(double v) {
      return String.format(Locale.ROOT, "%.1f %%", v * 100);
    }

    static String[] verdict(String what, String target, String measured, boolean met, String miss) {
      return new String[] {what, target, measured, met ? "met" : "**missed** by " + miss};
    }

    static String summary(Map<String, Object> r) {
      StringBuilder sb = new StringBuilder("\nSPEC §7 targets\n");
      for (String[] t : targets(r)) {
        sb.append(
            String.format(
                Locale.ROOT, "  %-58s %-22s %-26s %s%n", t[0], t[1], t[2], t[3].replace("**", "")));
      }
      return sb.toString();
    }

    static String markdown(Map<String, Object> r) {
      Map<String, Object> m = sub(r, "machine");
      Map<String, Object> s = sub(r, "settings");
      StringBuilder sb = new StringBuilder();
      sb.append(BEGIN).append("\n");
      sb.append("**Run**: ")
          .append(m.get("date"))
          .append(", commit `")
          .append(m.get("commit"))
          .append("`, ")
          .append(m.get("cpus"))
          .append(" vCPU ")
          .append(m.get("cpu"))
          .append(", ")
          .append(m.get("memory"))
          .append(" RAM, ")
          .append(m.get("java"))
          .append(". Load average before / after: `")
          .append(((List<?>) r.get("load_average_before_after")).get(0))
          .append("` / `")
          .append(((List<?>) r.get("load_average_before_after")).get(1))
          .append("`.");
      if (!String.valueOf(m.get("note")).isEmpty()) {
        sb.append(" ").append(m.get("note"));
      }
      sb.append("\n\n");
      sb.append("Simulator: TTFT ")
          .append(s.get("sim_time_to_first_token"))
          .append(", inter-token latency ")
          .append(s.get("sim_inter_token_latency"))
          .append(", `max_tokens` ")
          .append(s.get("max_tokens"))
          .append(", `max_batch_size` 256. ")
          .append(s.get("rounds"))
          .append(" rounds per cell, each ")
          .append(s.get("warmup_s"))
          .append(" s warm-up + ")
          .append(s.get("measure_s"))
          .append(" s measured per side, direct and gateway alternating (ABBA). Raw figures: ")
          .append("[benchmarks-results.json](benchmarks-results.json).\n\n");
      sb.append("### Against SPEC §7\n| target | spec | measured | verdict |\n|---|---|---|---|\n");
      for (String[] t : targets(r)) {
        sb.append("| ").append(String.join(" | ", t)).append(" |\n");
      }
      sb.append("\n### Warm path, non-stream (`POST /v1/chat/completions`)\n");
      sb.append(
          "| clients | direct p50 / p99 ms | gateway p50 / p99 ms | added p50 / p99 ms | added p50"
              + " per round | direct rps | gateway rps | ratio | gateway JVM per request: CPU /"
              + " run-queue wait, µs | errors |\n");
      sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
      for (Map<String, Object> row : rows(r, "chat")) {
        Map<String, Object> dd = sub(row, "direct");
        Map<String, Object> g = sub(row, "gateway");
        sb.append("| ")
            .append(d0(row.get("clients")))
            .append(" | ")
            .append(f(d(dd.get("p50_ms"))))
            .append(" / ")
            .append(f(d(dd.get("p99_ms"))))
            .append(" | ")
            .append(f(d(g.get("p50_ms"))))
            .append(" / ")
            .append(f(d(g.get("p99_ms"))))
            .append(" | ")
            .append(f(d(row.get("added_p50_ms"))))
            .append(" / ")
            .append(f(d(row.get("added_p99_ms"))))
            .append(" | ")
            .append(perRound(row))
            .append(" | ")
            .append(String.format(Locale.ROOT, "%.0f", d(dd.get("throughput_rps"))))
            .append(" | ")
            .append(String.format(Locale.ROOT, "%.0f", d(g.get("throughput_rps"))))
            .append(" | ")
            .append(pct(d(row.get("throughput_ratio"))))
            .append(" | ")
            .append(sched(g))
            .append(" | ")
            .append(d0(dd.get("errors")))
            .append(" / ")
            .append(d0(g.get("errors")))
            .append(" |\n");
      }
      sb.append("\n### Warm path, stream (`stream: true`)\n");
      sb.append(
          "| clients | TTFT p50 / p99 ms, direct | gateway | added | inter-event gap p50 / p99 ms,"
              + " direct | gateway | added | whole stream p50 ms, direct / gateway | ratio |"
              + " gateway JVM per stream: CPU / run-queue wait, µs | errors |\n");
      sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
      for (Map<String, Object> row : rows(r, "stream")) {
        Map<String, Object> tt = sub(row, "ttft");
        Map<String, Object> gp = sub(row, "gap");
        sb.append("| ")
            .append(d0(row.get("clients")))
            .append(" | ")
            .append(pair(sub(tt, "direct")))
            .append(" | ")
            .append(pair(sub(tt, "gateway")))
            .append(" | ")
            .append(f(d(row.get("added_ttft_p50_ms"))))
            .append(" / ")
            .append(f(d(row.get("added_ttft_p99_ms"))))
            .append(" | ")
            .append(pair(sub(gp, "direct")))
            .append(" | ")
            .append(pair(sub(gp, "gateway")))
            .append(" | ")
            .append(f(d(row.get("added_gap_p50_ms"))))
            .append(" / ")
            .append(f(d(row.get("added_gap_p99_ms"))))
            .append(" | ")
            .append(f(d(sub(row, "direct").get("p50_ms"))))
            .append(" / ")
            .append(f(d(sub(row, "gateway").get("p50_ms"))))
            .append(" | ")
            .append(pct(d(row.get("throughput_ratio"))))
            .append(" | ")
            .append(sched(sub(row, "gateway")))
            .append(" | ")
            .append(d0(sub(row, "direct").get("errors")))
            .append(" / ")
            .append(d0(sub(row, "gateway").get("errors")))
            .append(" |\n");
      }
      sb.append("\n![latency vs concurrency](benchmarks-latency.svg)\n");
      if (r.get("cold_start") instanceof Map<?, ?> c) {
        sb.append(
            "\n"
                + "### Cold start\n"
                + "| # | first byte through the gateway, ms | the instance's own: health 200 /"
                + " first byte, ms | overhead: difference, ms | request → process started | process"
                + " started → ready | of which healthy → ready | ready → first byte | overhead: the"
                + " gateway's steps, ms | `x-zeroscale-cold-start-wait-ms` |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        int i = 0;
        for (Object o : (List<?>) c.get("samples")) {
          Map<?, ?> x = (Map<?, ?>) o;
          sb.append("| ")
              .append(++i)
              .append(" | ")
              .append(f(d(x.get("first_byte_ms"))))
              .append(" | ")
              .append(f(d(x.get("own_health_ms"))))
              .append(" / ")
              .append(f(d(x.get("own_first_byte_ms"))))
              .append(" | ")
              .append(f(d(x.get("overhead_ms"))))
              .append(" | ")
              .append(x.get("request_to_process_started_ms"))
              .append(" | ")
              .append(x.get("process_started_to_ready_ms"))
              .append(" | ")
              .append(x.get("instance_healthy_to_ready_ms"))
              .append(" | ")
              .append(x.get("ready_to_first_byte_ms"))
              .append(" | ")
              .append(x.get("overhead_decomposed_ms"))
              .append(" | ")
              .append(x.get("x_zeroscale_cold_start_wait_ms"))
              .append(" |\n");
        }
      }
      if (r.get("held") instanceof Map<?, ?> h) {
        Map<?, ?> b = (Map<?, ?>) h.get("before");
        Map<?, ?> hh = (Map<?, ?>) h.get("held");
        sb.append(
            "\n"
                + "### Held requests, end to end\n"
                + "| held | deployments | heap after GC, before → held | per held request |"
                + " threads, before → held | RSS, before → held | all held after | all served |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        sb.append("| ")
            .append(d0(h.get("held_requests")))
            .append(" | ")
            .append(d0(h.get("deployments")))
            .append(" | ")
            .append(f(d(b.get("heap_used_mib"))))
            .append(" → ")
            .append(f(d(hh.get("heap_used_mib"))))
            .append(" MiB")
            .append(" | ")
            .append(f(d(h.get("heap_per_held_request_kib"))))
            .append(" KiB")
            .append(" | ")
            .append(d0(b.get("threads")))
            .append(" → ")
            .append(d0(hh.get("threads")))
            .append(" | ")
            .append(f(d(b.get("rss_mib"))))
            .append(" → ")
            .append(f(d(hh.get("rss_mib"))))
            .append(" MiB")
            .append(" | ")
            .append(d0(h.get("all_held_after_ms")))
            .append(" ms")
            .append(" | ")
            .append(d0(h.get("served_ok")))
            .append(" of ")
            .append(d0(h.get("held_requests")))
            .append(" after ")
            .append(d0(h.get("all_finished_after_ms")))
            .append(" ms |\n");
      }
      if (r.get("profile") instanceof Map<?, ?> profiles) {
        for (Map.Entry<?, ?> pe : profiles.entrySet()) {
          Map<?, ?> p = (Map<?, ?>) pe.getValue();
          sb.append("\n### Profile of the gateway JVM, ")
              .append(pe.getKey())
              .append(", ")
              .append(p.get("clients"))
              .append(" clients (JFR `")
              .append(p.get("event"))
              .append("`, ")
              .append(p.get("samples"))
              .append(" samples)\n");
          sb.append(
              "| thread | share | | CPU by library (first known from the leaf) | share |\n"
                  + "|---|---|---|---|---|\n");
          List<?> th = (List<?>) p.get("by_thread");
          List<?> ly = (List<?>) p.get("by_top_layer");
          for (int i = 0; i < Math.max(th.size(), ly.size()); i++) {
            Map<?, ?> a1 = i < th.size() ? (Map<?, ?>) th.get(i) : null;
            Map<?, ?> b1 = i < ly.size() ? (Map<?, ?>) ly.get(i) : null;
            sb.append("| ")
                .append(a1 == null ? "" : "`" + a1.get("frame") + "`")
                .append(" | ")
                .append(a1 == null ? "" : pct(d(a1.get("share"))))
                .append(" | | ")
                .append(b1 == null ? "" : b1.get("frame"))
                .append(" | ")
                .append(b1 == null ? "" : pct(d(b1.get("share"))))
                .append(" |\n");
          }
          sb.append("\n| hottest leaf methods | share |\n|---|---|\n");
          int n = 0;
          for (Object o : (List<?>) p.get("top_self")) {
            if (n++ == 12) {
              break;
            }
            Map<?, ?> x = (Map<?, ?>) o;
            sb.append("| `")
                .append(x.get("frame"))
                .append("` | ")
                .append(pct(d(x.get("share"))))
                .append(" |\n");
          }
          sb.append("\n| gateway code on the stack (inclusive) | share |\n|---|---|\n");
          n = 0;
          for (Object o : (List<?>) p.get("top_inclusive_gateway_code")) {
            if (n++ == 12) {
              break;
            }
            Map<?, ?> x = (Map<?, ?>) o;
            sb.append("| `")
                .append(
                    String.valueOf(x.get("frame"))
                        .replaceAll("\\$\\$Lambda[./]0x[0-9a-f]+", "\\$\\$Lambda"))
                .append("` | ")
                .append(pct(d(x.get("share"))))
                .append(" |\n");
          }
        }
      }
      sb.append(END).append("\n");
      return sb.toString();
    }

    static String sched(Map<String, Object> side) {
      return String.format(
          Locale.ROOT,
          "%.0f / %.0f",
          d(side.get("gateway_cpu_us_per_request")),
          d(side.get("gateway_runqueue_wait_us_per_request")));
    }

    static String perRound(Map<String, Object> row) {
      List<String> out = new ArrayList<>();
      for (Object o : (List<?>) row.get("added_per_round")) {
        out.add(f(d(((Map<?, ?>) o).get("added_p50_ms"))));
      }
      return String.join(", ", out);
    }

    static String pair(Map<String, Object> s) {
      return f(d(s.get("p50_ms"))) + " / " + f(d(s.get("p99_ms")));
    }

    static void updateDocs(Path md, Map<String, Object> r) throws IOException {
      String doc = Files.readString(md);
      String gen = markdown(r);
      int b = doc.indexOf("<!-- bench:begin");
      int e = doc.indexOf(END);
      if (b >= 0 && e > b) {
        doc = doc.substring(0, b) + gen + doc.substring(e + END.length() + 1);
      } else {
        doc = doc + "\n## Gateway overhead (generated)\n" + gen;
      }
      Files.writeString(md, doc);
    }

    /** Latency vs concurrency, p50 and p99, direct and gateway, non-stream; log-scaled x. */
    static String svg(Map<String, Object> r) {
      List<Map<String, Object>> rows = rows(r, "chat");
      int w = 640;
      int h = 360;
      int l = 60;
      int rt = 150;
      int t = 30;
      int b = 50;
      double maxY = 0;
      double minY = Double.MAX_VALUE;
      for (Map<String, Object> row : rows) {
        for (String side : List.of("direct", "gateway")) {
          maxY = Math.max(maxY, d(sub(row, side).get("p99_ms")));
          minY = Math.min(minY, d(sub(row, side).get("p50_ms")));
        }
      }
      double lo = Math.floor(Math.max(0, minY - 10) / 10) * 10;
      double hi = Math.ceil((maxY + 5) / 10) * 10;
      double xs = rows.size() <= 1 ? 1 : Math.log(d(rows.get(rows.size() - 1).get("clients")));
      StringBuilder sb = new StringBuilder();
      sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
          .append(w)
          .append("\" height=\"")
          .append(h)
          .append(
              "\" font-family=\"sans-serif\" font-size=\"12\">\n"
                  + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
      sb.append("<text x=\"")
          .append(l)
          .append("\" y=\"18\" font-size=\"14\">Non-stream chat latency vs concurrent clients (")
          .append(sub(r, "machine").get("date"))
          .append(", ")
          .append(sub(r, "machine").get("commit"))
          .append(")</text>\n");
      int pw = w - l - rt;
      int ph = h - t - b;
      for (int i = 0; i <= 5; i++) {
        double v = lo + (hi - lo) * i / 5;
        double y = t + ph - ph * i / 5.0;
        sb.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                l,
                y,
                l + pw,
                y));
        sb.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n",
                l - 6,
                y + 4,
                v));
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\""
                  + " text-anchor=\"middle\">latency, ms</text>\n",
              t + ph / 2,
              t + ph / 2));
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">concurrent clients (log"
                  + " scale)</text>\n",
              l + pw / 2,
              h - 10));
      java.util.function.DoubleUnaryOperator xf =
          c -> l + (xs == 0 ? 0 : pw * Math.log(Math.max(1, c)) / xs);
      final double flo = lo;
      final double fhi = hi;
      java.util.function.DoubleUnaryOperator yf = v -> t + ph - ph * (v - flo) / (fhi - flo);
      for (Map<String, Object> row : rows) {
        double x = xf.applyAsDouble(d(row.get("clients")));
        sb.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                x,
                t + ph + 16,
                d0(row.get("clients"))));
      }
      String[][] series = {
        {"direct", "p50_ms", "#1f77b4", "", "direct p50"},
        {"direct", "p99_ms", "#1f77b4", "6,4", "direct p99"},
        {"gateway", "p50_ms", "#d62728", "", "gateway p50"},
        {"gateway", "p99_ms", "#d62728", "6,4", "gateway p99"},
      };
      int ly = t + 10;
      for (String[] s : series) {
        StringBuilder pts = new StringBuilder();
        for (Map<String, Object> row : rows) {
          double x = xf.applyAsDouble(d(row.get("clients")));
          double y = yf.applyAsDouble(d(sub(row, s[0]).get(s[1])));
          pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
          sb.append(
              String.format(
                  Locale.ROOT,
                  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
                  x,
                  y,
                  s[2]));
        }
        sb.append("<polyline fill=\"none\" stroke=\"")
            .append(s[2])
            .append("\" stroke-width=\"2\"")
            .append(s[3].isEmpty() ? "" : " stroke-dasharray=\"" + s[3] + "\"")
            .append(" points=\"")
            .append(pts.toString().trim())
            .append("\"/>\n");
        sb.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                    + " stroke-width=\"2\"%s/>\n",
                l + pw + 15,
                ly,
                l + pw + 40,
                ly,
                s[2],
                s[3].isEmpty() ? "" : " stroke-dasharray=\"" + s[3] + "\""));
        sb.append(
            String.format(
                Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>\n", l + pw + 46, ly + 4, s[4]));
        ly += 20;
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                  + " stroke=\"#888\"/>\n",
              l,
              t,
              pw,
              ph));
      sb.append("</svg>\n");
      return sb.toString();
    }
  }
}
