package bench;

import static bench.Util.log;
import static bench.Util.map;
import static bench.Util.ms;
import static bench.Util.round1;
import static bench.Util.round3;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Phase 1, the warm path: for each mode and client count, {@code rounds} rounds per side,
 * alternating direct and gateway (ABBA), after a JIT warm-up of both sides.
 */
final class WarmPath implements Scenario {
  private final Run run;
  private final Options o;
  private final Target direct;
  private final Target gw;

  WarmPath(Run run, Target direct, Target gw) {
    this.run = run;
    this.o = run.options;
    this.direct = direct;
    this.gw = gw;
  }

  @Override
  public Map<String, Object> run() throws Exception {
    log("warm-up: JIT of gateway, simulator and client");
    for (Mode m : Mode.values()) {
      for (Target t : List.of(direct, gw)) {
        Load.round(
            run,
            t,
            m,
            o.smoke ? 5 : 50,
            o.smoke ? Duration.ofSeconds(1) : o.jitWarmup,
            Duration.ZERO);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    int errors = 0;
    for (Mode m : Mode.values()) {
      List<Object> rows = new ArrayList<>();
      for (int clients : o.levels) {
        List<RoundResult> d = new ArrayList<>();
        List<RoundResult> g = new ArrayList<>();
        errors += rounds(m, clients, d, g);
        rows.add(compare(m, clients, d, g));
      }
      out.put(m.label, rows);
    }
    out.put(ERRORS, errors);
    return out;
  }

  /** The rounds of one cell, into {@code d} and {@code g}; returns the errors. */
  private int rounds(Mode m, int clients, List<RoundResult> d, List<RoundResult> g)
      throws InterruptedException {
    int errors = 0;
    for (int r = 0; r < o.rounds; r++) {
      // ABBA: direct first on even rounds, gateway first on odd ones, so a drift in the
      // machine's load does not always fall on the same side.
      boolean directFirst = r % 2 == 0;
      for (Target t : directFirst ? List.of(direct, gw) : List.of(gw, direct)) {
        RoundResult rr = Load.round(run, t, m, clients, o.warmup, o.measure);
        (t == direct ? d : g).add(rr);
        errors += rr.errors.get();
        log(
            String.format(
                Locale.ROOT,
                "%-6s %3d clients round %d %-7s %s",
                m.label,
                clients,
                r + 1,
                t.name(),
                rr.brief()));
      }
    }
    return errors;
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
    row.put("added_p50_ms", ms(gl.p50() - dl.p50()));
    row.put("added_p99_ms", ms(gl.p99() - dl.p99()));
    List<Object> perRound = new ArrayList<>();
    for (int i = 0; i < d.size(); i++) {
      Stats a = Stats.of(d.get(i).latency.toArray());
      Stats b = Stats.of(g.get(i).latency.toArray());
      perRound.add(
          map("added_p50_ms", ms(b.p50() - a.p50()), "added_p99_ms", ms(b.p99() - a.p99())));
    }
    row.put("added_per_round", perRound);
    row.put("throughput_ratio", round3(dThr == 0 ? 0 : gThr / dThr));
    if (m == Mode.STREAM) {
      streamRows(row, d, g);
    }
    return row;
  }

  private static void streamRows(
      Map<String, Object> row, List<RoundResult> d, List<RoundResult> g) {
    Stats dt = Stats.of(merge(d, rr -> rr.ttft));
    Stats gt = Stats.of(merge(g, rr -> rr.ttft));
    Stats dg = Stats.of(merge(d, rr -> rr.gaps));
    Stats gg = Stats.of(merge(g, rr -> rr.gaps));
    row.put("ttft", map("direct", dt.toMap(), "gateway", gt.toMap()));
    row.put("added_ttft_p50_ms", ms(gt.p50() - dt.p50()));
    row.put("added_ttft_p99_ms", ms(gt.p99() - dt.p99()));
    row.put("gap", map("direct", dg.toMap(), "gateway", gg.toMap()));
    row.put("added_gap_p50_ms", ms(gg.p50() - dg.p50()));
    row.put("added_gap_p99_ms", ms(gg.p99() - dg.p99()));
  }

  static Map<String, Object> statsMap(Stats s, double thr, List<RoundResult> rs) {
    Map<String, Object> m = s.toMap();
    m.put("throughput_rps", round1(thr));
    long n = rs.stream().mapToLong(r -> r.completed.get()).sum();
    if (n > 0) {
      m.put("gateway_cpu_us_per_request", perRequest(rs, r -> r.gatewaySched[0], n));
      m.put("gateway_runqueue_wait_us_per_request", perRequest(rs, r -> r.gatewaySched[1], n));
      m.put("sim_cpu_us_per_request", perRequest(rs, r -> r.simSched[0], n));
      m.put("sim_runqueue_wait_us_per_request", perRequest(rs, r -> r.simSched[1], n));
      m.put("load_generator_cpu_us_per_request", perRequest(rs, r -> r.clientSched[0], n));
      m.put("sched_note", "per request, measured windows only, from /proc/<pid>/task/*/schedstat");
    }
    m.put("errors", rs.stream().mapToInt(r -> r.errors.get()).sum());
    return m;
  }

  /** Nanoseconds summed over the rounds, in µs per completed request. */
  private static double perRequest(List<RoundResult> rs, Function<RoundResult, Long> ns, long n) {
    return round1(rs.stream().mapToLong(r -> ns.apply(r)).sum() / 1e3 / n);
  }

  static long[] merge(List<RoundResult> rs, Function<RoundResult, Samples> f) {
    Samples all = new Samples();
    for (RoundResult r : rs) {
      all.addAll(f.apply(r));
    }
    return all.toArray();
  }
}
