package bench;

import static bench.Util.concat;
import static bench.Util.log;
import static bench.Util.map;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Zeroscale benchmark harness (issue #8): measures the gateway's overhead against the same
 * simulator called directly, in the same run, alternating direct and gateway rounds.
 *
 * <p>JDK only (no Maven, no wrk/hey): a multi-file source program run by {@code loadtest/bench.sh}
 * as {@code java loadtest/bench/Bench.java}; the launcher compiles the other classes of package
 * {@code bench} from this directory on demand. The load generator ({@link Load}, {@link Conn}) is a
 * minimal HTTP/1.1 client on blocking sockets, one platform thread and one keep-alive connection
 * per closed-loop client, so that time to first byte, time to first SSE event and the gap between
 * events are taken the instant the bytes are read, with no client framework in between. It costs
 * the same on both sides of every comparison; only ratios and differences measured in the same run
 * are reported.
 *
 * <p>Phases, one {@link Scenario} each: (1) {@link WarmPath}: one standalone gateway whose
 * activator boots one simulator instance ({@code min_instances: 1}); its URL is read from the
 * process runtime's state file and called directly, alternating with the same calls through the
 * gateway, at 1, 50 and 200 clients, for chat non-stream and chat stream; (2) {@link
 * GatewayProfile}: a JFR profile of the gateway at 200 clients; (3) {@link ColdStart}: time to
 * first byte of the first request for a scaled-to-zero deployment minus the instance's own boot
 * (the simulator launched by this program with the exact command line the activator used, timed to
 * /health 200) minus the request's own latency; (4) {@link HeldRequests}: a second gateway with
 * -Xmx1g holds N real HTTP connections for cold deployments, heap after GC and thread count are
 * read with jcmd, then every request must be served; (5) {@link CpuBound}: the CPU-bound scenario
 * of issue #14, direct, nginx, a bare Spring Cloud Gateway and the gateway side by side against one
 * simulator with 10 ms requests, CPU per request of each proxy process, and the warm-up curve of a
 * cold gateway. Results go to {@link Report}.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    if (o.report != null) {
      rerender(o.report);
      return;
    }
    if (o.analyze != null) {
      System.out.println(Json.write(Jfr.analyze(o.analyze)));
      return;
    }
    Run run = Run.start(o);
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("machine", Processes.machine(run.root, o.note));
    results.put("settings", settings(o));
    String loadBefore = Processes.loadavg();
    int errors = 0;
    if (o.runs("warm") || o.runs("profile") || o.runs("cold")) {
      errors += warmGatewayPhases(run, results);
    }
    if (o.runs("held")) {
      errors += phase(results, "held", new HeldRequests(run));
    }
    if (o.runs("cpu")) {
      errors += phase(results, "cpu", new CpuBound(run));
    }
    results.put("load_average_before_after", List.of(loadBefore, Processes.loadavg()));
    results.put("errors", errors);
    finish(run, results, errors);
  }

  static Map<String, Object> settings(Options o) {
    return map(
        "smoke",
        o.smoke,
        "rounds",
        o.rounds,
        "warmup_s",
        o.warmup.toSeconds(),
        "measure_s",
        o.measure.toSeconds(),
        "levels",
        Arrays.stream(o.levels).boxed().toList(),
        "sim_time_to_first_token",
        Options.TTFT,
        "sim_inter_token_latency",
        Options.ITL,
        "max_tokens",
        Options.MAX_TOKENS,
        "gateway_jar",
        o.gatewayJar.toString(),
        "gateway_args",
        List.copyOf(o.gatewayArgs));
  }

  /** The phases that share one gateway with a warm instance: warm path, profile, cold start. */
  static int warmGatewayPhases(Run run, Map<String, Object> results) throws Exception {
    Options o = run.options;
    Gateway gw =
        Gateway.start(
            run,
            "warm",
            List.of(),
            concat(
                List.of(
                    "--zeroscale.runtime.process.sim.startup-duration=2s",
                    "--zeroscale.runtime.process.sim.time-to-first-token=" + Options.TTFT,
                    "--zeroscale.runtime.process.sim.inter-token-latency=" + Options.ITL),
                o.gatewayArgs));
    int errors = 0;
    try {
      String key = gw.benchKey();
      String depId = gw.createDeployment(key, "warm", 1, 256, 900);
      gw.awaitStatus(key, "warm", "running", Duration.ofSeconds(60));
      Map<String, String> inst = gw.instanceOf(depId);
      URI sim = URI.create(inst.get("url"));
      long simPid = Long.parseLong(inst.get("pid"));
      log("warm instance " + sim + " pid " + simPid);
      run.gatewayPid = gw.pid();
      run.simPid = simPid;
      Target direct = new Target("direct", sim.getHost(), sim.getPort(), inst.get("engine_key"));
      Target viaGw = new Target("gateway", "127.0.0.1", gw.port(), key);
      if (o.runs("warm")) {
        errors += phase(results, "warm", new WarmPath(run, direct, viaGw));
      }
      if (o.runs("profile") && o.profile) {
        errors += phase(results, "profile", new GatewayProfile(run, gw, viaGw));
      }
      if (o.runs("cold")) {
        errors += phase(results, "cold_start", new ColdStart(run, gw, key, simPid));
      }
    } finally {
      gw.stop();
    }
    return errors;
  }

  /** Runs a scenario, puts its results under {@code key}, returns its error count. */
  static int phase(Map<String, Object> results, String key, Scenario scenario) throws Exception {
    Map<String, Object> out = scenario.run();
    Object errors = out.remove(Scenario.ERRORS);
    results.put(key, out);
    return errors == null ? 0 : (int) errors;
  }

  static void finish(Run run, Map<String, Object> results, int errors) throws Exception {
    Path root = run.root;
    String json = Json.write(results);
    Files.writeString(run.work.resolve("results.json"), json);
    log("results: " + root.relativize(run.work.resolve("results.json")));
    if (run.options.writeDocs && results.get("warm") == null) {
      // The generated section leads with the warm path's tables and chart: a run without that
      // phase (e.g. --phases cpu) would replace them with nothing.
      log("docs/ not written: this run has no warm phase (--phases " + run.options.phases + ")");
    } else if (run.options.writeDocs) {
      writeDocs(root, results, json);
      log("wrote docs/benchmarks.md, docs/benchmarks-results.json, docs/benchmarks-latency.svg");
    }
    if (run.options.smoke) {
      log(
          "smoke run: the verdicts below are not judged (cold JIT, seconds-long rounds); only"
              + " errors fail it");
    }
    System.out.println(Report.summary(results));
    run.killChildren();
    if (errors > 0) {
      log("FAILED: " + errors + " errors (see " + root.relativize(run.work) + ")");
      System.exit(1);
    }
    log("OK");
    System.exit(0);
  }

  /** {@code --report}: re-renders docs/ from a results file (e.g. after editing the layout). */
  @SuppressWarnings("unchecked")
  static void rerender(Path resultsFile) throws Exception {
    Path root = Path.of("").toAbsolutePath();
    Map<String, Object> r = (Map<String, Object>) Json.parse(Files.readString(resultsFile));
    writeDocs(root, r, Json.write(r));
    System.out.println(Report.summary(r));
  }

  static void writeDocs(Path root, Map<String, Object> r, String json) throws Exception {
    Files.writeString(root.resolve("docs/benchmarks-results.json"), json);
    Files.writeString(root.resolve("docs/benchmarks-latency.svg"), Svg.latency(r));
    Report.updateDocs(root.resolve("docs/benchmarks.md"), r);
  }
}
