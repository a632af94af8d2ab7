package bench;

import static bench.Util.concat;
import static bench.Util.log;
import static bench.Util.map;
import static bench.Util.ms;
import static bench.Util.round1;
import static bench.Util.round3;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The CPU-bound scenario of issue #14: requests of about 10 ms (simulator TTFT 10 ms, no delay
 * between tokens, 16 tokens), so that every proxy is limited by its CPU, measured side by side in
 * one run against one simulator instance: direct, nginx (the proxy floor), a bare Spring Cloud
 * Gateway (the framework floor) and the Zeroscale gateway. For each path: throughput, p50/p99,
 * throughput as a share of direct, added p50, and the proxy process's CPU per request (and per SSE
 * event for streams) from /proc over the measured window.
 *
 * <p>Order: a gateway of its own (the simulator's timing is the process runtime's setting) whose
 * activator boots the warm instance; the simulator is warmed directly; then the gateway, still a
 * cold JVM, gets the full non-stream load at once and its CPU per request and p50 are recorded per
 * window (the warm-up curve, which is also its non-stream warm-up); then nginx and the bare SCG
 * start, every JVM proxy gets {@code --cpu-warmup} seconds of load (half per mode), and the rounds
 * run, the four paths one after the other (reversed on odd rounds).
 */
final class CpuBound implements Scenario {
  /**
   * The deployment: one warm instance, 256 requests at once (the simulator's max-num-seqs).
   */
  static final int MAX_BATCH_SIZE = 256;

  private final Run run;
  private final Options o;

  CpuBound(Run run) {
    this.run = run;
    this.o = run.options;
  }

  @Override
  public Map<String, Object> run() throws Exception {
    Gateway gw =
        Gateway.start(
            run,
            "cpu",
            List.of(),
            concat(
                List.of(
                    "--zeroscale.runtime.process.sim.startup-duration=2s",
                    "--zeroscale.runtime.process.sim.time-to-first-token=" + Options.CPU_TTFT,
                    "--zeroscale.runtime.process.sim.inter-token-latency=" + Options.CPU_ITL),
                o.gatewayArgs));
    long savedGatewayPid = run.gatewayPid;
    long savedSimPid = run.simPid;
    try {
      String key = gw.benchKey();
      String depId = gw.createDeployment(key, "warm", 1, MAX_BATCH_SIZE, 900);
      gw.awaitStatus(key, "warm", "running", Duration.ofSeconds(60));
      Map<String, String> inst = gw.instanceOf(depId);
      URI sim = URI.create(inst.get("url"));
      run.simPid = Long.parseLong(inst.get("pid"));
      run.gatewayPid = -1; // the proxy under test is measured per hop, whole process
      log("cpu-bound: instance " + sim + " pid " + run.simPid);
      Hop direct =
          new Hop(
              "direct",
              new Target("direct", sim.getHost(), sim.getPort(), inst.get("engine_key")),
              -1,
              "the simulator, called directly");
      Hop zeroscale =
          new Hop(
              "zeroscale",
              new Target("gateway", "127.0.0.1", gw.port(), key),
              gw.pid(),
              "the Zeroscale gateway (" + o.gatewayJar + ")");
      return measure(direct, zeroscale, sim);
    } finally {
      run.gatewayPid = savedGatewayPid;
      run.simPid = savedSimPid;
      gw.stop();
    }
  }

  private Map<String, Object> measure(Hop direct, Hop zeroscale, URI sim) throws Exception {
    int errors = 0;
    int base = o.cpuLevels[0];
    Duration simWarm = o.smoke ? Duration.ofSeconds(1) : Duration.ofSeconds(5);
    log("cpu-bound: warming the simulator directly, " + simWarm.toSeconds() + " s per mode");
    for (Mode m : Mode.values()) {
      errors += warm(direct, m, base, simWarm);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("settings", settings());
    List<Object> curve = new ArrayList<>();
    errors += curve(zeroscale, base, curve);
    out.put("warmup_curve", curve);
    String engineKey = direct.target().key();
    Hop nginx = Nginx.start(run, sim.getHost(), sim.getPort(), engineKey);
    Hop scg = BareScg.start(run, sim.getHost(), sim.getPort(), engineKey);
    List<Hop> hops = List.of(direct, nginx, scg, zeroscale);
    Duration half = o.cpuWarmup.dividedBy(2);
    Duration curveDone = o.curveWindow.multipliedBy(o.curveWindows);
    Duration nginxWarm = o.smoke ? Duration.ofSeconds(1) : Duration.ofSeconds(3);
    log("cpu-bound: warm-up, " + o.cpuWarmup.toSeconds() + " s per JVM proxy (half per mode)");
    errors += warm(nginx, Mode.CHAT, base, nginxWarm);
    errors += warm(nginx, Mode.STREAM, base, nginxWarm);
    errors += warm(scg, Mode.CHAT, base, half);
    errors += warm(scg, Mode.STREAM, base, half);
    if (half.compareTo(curveDone) > 0) {
      errors += warm(zeroscale, Mode.CHAT, base, half.minus(curveDone));
    }
    errors += warm(zeroscale, Mode.STREAM, base, half);
    for (Mode m : Mode.values()) {
      List<Object> rows = new ArrayList<>();
      for (int clients : o.cpuLevels) {
        Map<Hop, List<RoundResult>> byHop = new LinkedHashMap<>();
        hops.forEach(h -> byHop.put(h, new ArrayList<>()));
        for (int r = 0; r < o.cpuRounds; r++) {
          List<Hop> order = r % 2 == 0 ? hops : hops.reversed();
          for (Hop h : order) {
            RoundResult rr =
                Load.windows(run, h.target(), m, clients, o.warmup, o.cpuMeasure, 1, h.pid())[0];
            byHop.get(h).add(rr);
            errors += rr.errors.get();
            log(
                String.format(
                    Locale.ROOT,
                    "cpu %-6s %3d clients round %d %-9s %s | proxy cpu %.0f us/request",
                    m.label,
                    clients,
                    r + 1,
                    h.name(),
                    rr.brief(),
                    rr.proxyCpuNs / 1e3 / Math.max(1, rr.completed.get())));
          }
        }
        rows.add(row(m, clients, byHop));
      }
      out.put(m.label, rows);
    }
    Map<String, Object> what = new LinkedHashMap<>();
    hops.forEach(h -> what.put(h.name(), h.what()));
    out.put("paths", what);
    out.put(ERRORS, errors);
    return out;
  }

  private Map<String, Object> settings() {
    return map(
        "sim_time_to_first_token",
        Options.CPU_TTFT,
        "sim_inter_token_latency",
        Options.CPU_ITL,
        "max_tokens",
        Options.MAX_TOKENS,
        "max_batch_size",
        MAX_BATCH_SIZE,
        "levels",
        Arrays.stream(o.cpuLevels).boxed().toList(),
        "rounds",
        o.cpuRounds,
        "round_warmup_s",
        o.warmup.toSeconds(),
        "measure_s",
        o.cpuMeasure.toSeconds(),
        "warmup_per_jvm_proxy_s",
        o.cpuWarmup.toSeconds(),
        "curve_window_s",
        o.curveWindow.toSeconds(),
        "curve_windows",
        o.curveWindows,
        "load_generator",
        "bench/Load.java: one platform thread and keep-alive connection per closed-loop client",
        "cpu_note",
        "proxy CPU = utime + stime of the whole process (/proc/PID/stat: every thread, JIT and GC"
            + " included) over the measured window, divided by the requests (SSE events) that"
            + " completed in it");
  }

  private int warm(Hop h, Mode m, int clients, Duration d) throws InterruptedException {
    if (d.isZero() || d.isNegative()) {
      return 0;
    }
    RoundResult rr = Load.round(run, h.target(), m, clients, d, Duration.ZERO);
    if (rr.errors.get() > 0) {
      log(
          "warm-up "
              + h.name()
              + " "
              + m.label
              + ": "
              + rr.errors.get()
              + " errors, e.g. "
              + rr.errorSamples.peek());
    }
    return rr.errors.get();
  }

  /**
   * The warm-up curve: the gateway has served nothing yet (a cold JVM, as a new replica) and gets
   * {@code clients} non-stream clients at once; CPU per request and latency per window.
   */
  private int curve(Hop zs, int clients, List<Object> curve) throws InterruptedException {
    log(
        "cpu-bound: warm-up curve of the cold gateway, "
            + o.curveWindows
            + " windows of "
            + o.curveWindow.toSeconds()
            + " s at "
            + clients
            + " clients");
    RoundResult[] ws =
        Load.windows(
            run,
            zs.target(),
            Mode.CHAT,
            clients,
            Duration.ZERO,
            o.curveWindow,
            o.curveWindows,
            zs.pid());
    int errors = 0;
    for (int i = 0; i < ws.length; i++) {
      RoundResult w = ws[i];
      long n = w.completed.get();
      Stats s = Stats.of(w.latency.toArray());
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("from_s", o.curveWindow.toSeconds() * i);
      row.put("to_s", o.curveWindow.toSeconds() * (i + 1));
      row.put("requests", n);
      row.put("throughput_rps", round1(w.throughput()));
      row.put("p50_ms", ms(s.p50()));
      row.put("p99_ms", ms(s.p99()));
      row.put("cpu_us_per_request", n == 0 ? null : round1(w.proxyCpuNs / 1e3 / n));
      row.put("jit_us_per_request", n == 0 ? null : round1(w.proxyJitNs / 1e3 / n));
      row.put("errors", w.errors.get());
      errors += w.errors.get();
      curve.add(row);
      log(
          String.format(
              Locale.ROOT,
              "curve %3d-%3d s: %6d requests, %5.0f rps, p50 %.2f ms, cpu %s us/request"
                  + " (JIT threads %s)",
              (long) row.get("from_s"),
              (long) row.get("to_s"),
              n,
              w.throughput(),
              ms(s.p50()),
              row.get("cpu_us_per_request"),
              row.get("jit_us_per_request")));
    }
    return errors;
  }

  /** One (mode, clients) cell: every path's figures, and the ratios between them. */
  private static Map<String, Object> row(Mode m, int clients, Map<Hop, List<RoundResult>> byHop) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("clients", clients);
    Map<String, Object> directStats = null;
    Map<String, Object> paths = new LinkedHashMap<>();
    for (Map.Entry<Hop, List<RoundResult>> e : byHop.entrySet()) {
      Map<String, Object> s = pathStats(m, e.getKey(), e.getValue());
      if (directStats == null) {
        directStats = s;
      } else {
        compareToDirect(m, s, directStats);
      }
      paths.put(e.getKey().name(), s);
    }
    row.put("paths", paths);
    String unit = m.stream ? "cpu_us_per_event" : "cpu_us_per_request";
    row.put("zeroscale_vs_nginx", ratio(paths, "zeroscale", "nginx", unit));
    row.put("zeroscale_vs_bare_scg", ratio(paths, "zeroscale", "bare_scg", unit));
    row.put("bare_scg_vs_nginx", ratio(paths, "bare_scg", "nginx", unit));
    return row;
  }

  @SuppressWarnings("unchecked")
  private static Double ratio(Map<String, Object> paths, String a, String b, String field) {
    Object x = ((Map<String, Object>) paths.get(a)).get(field);
    Object y = ((Map<String, Object>) paths.get(b)).get(field);
    if (!(x instanceof Number nx) || !(y instanceof Number ny) || ny.doubleValue() == 0) {
      return null;
    }
    return round1(nx.doubleValue() / ny.doubleValue());
  }

  private static Map<String, Object> pathStats(Mode m, Hop h, List<RoundResult> rs) {
    Stats lat = Stats.of(WarmPath.merge(rs, rr -> rr.latency));
    Map<String, Object> s = lat.toMap();
    double thr = rs.stream().mapToDouble(RoundResult::throughput).average().orElse(0);
    s.put("throughput_rps", round1(thr));
    long n = rs.stream().mapToLong(r -> r.completed.get()).sum();
    long events = rs.stream().mapToLong(r -> r.events.get()).sum();
    if (h.pid() > 0 && n > 0) {
      s.put("cpu_us_per_request", perUnit(rs, r -> r.proxyCpuNs, n));
      s.put("jit_us_per_request", perUnit(rs, r -> r.proxyJitNs, n));
      if (m.stream && events > 0) {
        s.put(
            "cpu_us_per_event",
            round3(rs.stream().mapToLong(r -> r.proxyCpuNs).sum() / 1e3 / events));
      }
    }
    if (n > 0) {
      s.put("sim_cpu_us_per_request", perUnit(rs, r -> r.simSched[0], n));
      s.put("load_generator_cpu_us_per_request", perUnit(rs, r -> r.clientCpuNs, n));
    }
    if (m.stream) {
      s.put("events", events);
      s.put("events_per_request", n == 0 ? 0 : round3((double) events / n));
      s.put("ttft", Stats.of(WarmPath.merge(rs, rr -> rr.ttft)).toMap());
      s.put("gap", Stats.of(WarmPath.merge(rs, rr -> rr.gaps)).toMap());
    }
    s.put("errors", rs.stream().mapToInt(r -> r.errors.get()).sum());
    return s;
  }

  @SuppressWarnings("unchecked")
  private static void compareToDirect(Mode m, Map<String, Object> s, Map<String, Object> d) {
    double dThr = Report.d(d.get("throughput_rps"));
    s.put(
        "throughput_vs_direct",
        dThr == 0 ? null : round3(Report.d(s.get("throughput_rps")) / dThr));
    s.put("added_p50_ms", round3(Report.d(s.get("p50_ms")) - Report.d(d.get("p50_ms"))));
    s.put("added_p99_ms", round3(Report.d(s.get("p99_ms")) - Report.d(d.get("p99_ms"))));
    if (m.stream) {
      Map<String, Object> st = (Map<String, Object>) s.get("ttft");
      Map<String, Object> dt = (Map<String, Object>) d.get("ttft");
      Map<String, Object> sg = (Map<String, Object>) s.get("gap");
      Map<String, Object> dg = (Map<String, Object>) d.get("gap");
      s.put("added_ttft_p50_ms", round3(Report.d(st.get("p50_ms")) - Report.d(dt.get("p50_ms"))));
      s.put("added_ttft_p99_ms", round3(Report.d(st.get("p99_ms")) - Report.d(dt.get("p99_ms"))));
      s.put("added_gap_p99_ms", round3(Report.d(sg.get("p99_ms")) - Report.d(dg.get("p99_ms"))));
    }
  }

  private static double perUnit(List<RoundResult> rs, Function<RoundResult, Long> ns, long n) {
    return round1(rs.stream().mapToLong(r -> ns.apply(r)).sum() / 1e3 / n);
  }

  /** Until {@code t} answers a chat request with 200 (the route is up), or its process exits. */
  static void awaitServing(Target t, Process p, Path logFile) throws Exception {
    byte[] req = t.request("warm", false, 1, "ping");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    String last = "not listening";
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(t.name() + " exited; see " + logFile);
      }
      try (Conn c = new Conn(t.host(), t.port(), 10_000, 1000)) {
        Exchange ex = c.exchange(req, false);
        if (ex.status == 200) {
          return;
        }
        last = "status " + ex.status;
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(t.name() + " does not serve (" + last + "); see " + logFile);
  }
}
