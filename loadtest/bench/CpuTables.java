package bench;

import static bench.Report.d;
import static bench.Report.d0;
import static bench.Report.f;
import static bench.Report.pct;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU-bound scenario's tables ({@link CpuBound}), for docs/benchmarks.md and the console: every
 * path side by side per client count, the ratios of CPU to the floors (nginx, bare SCG), and the
 * warm-up curve.
 */
final class CpuTables {
  private CpuTables() {}

  static final List<String> PATHS = List.of("direct", "nginx", "bare_scg", "zeroscale");
  static final Map<String, String> LABELS =
      Map.of(
          "direct", "direct", "nginx", "nginx", "bare_scg", "bare SCG", "zeroscale", "Zeroscale");

  static void cpu(StringBuilder sb, Map<?, ?> c) {
    Map<?, ?> s = (Map<?, ?>) c.get("settings");
    sb.append("\n### CPU-bound scenario (issue #14)\n")
        .append("Simulator TTFT ")
        .append(s.get("sim_time_to_first_token"))
        .append(", inter-token latency ")
        .append(s.get("sim_inter_token_latency"))
        .append(", `max_tokens` ")
        .append(s.get("max_tokens"))
        .append(", one warm instance, `max_batch_size` ")
        .append(s.get("max_batch_size"))
        .append("; the same simulator behind every path. ")
        .append(s.get("rounds"))
        .append(" round(s) of ")
        .append(s.get("round_warmup_s"))
        .append(" s ramp + ")
        .append(s.get("measure_s"))
        .append(" s measured per path and cell, after ")
        .append(s.get("warmup_per_jvm_proxy_s"))
        .append(" s of warm-up load per JVM proxy. Proxy CPU: utime + stime of the whole proxy")
        .append(" process (every thread, JIT and GC included; nginx: its one worker) over the")
        .append(" measured window ÷ requests (SSE events) completed in it. Load generator: ")
        .append(s.get("load_generator"))
        .append(".\n");
    sb.append("\n| target (issue #14) | target | measured | verdict |\n|---|---|---|---|\n");
    for (String[] t : Targets.cpu(c)) {
      sb.append("| ").append(String.join(" | ", t)).append(" |\n");
    }
    sb.append("\n#### Non-stream\n")
        .append(
            "| clients | path | rps | vs direct | p50 / p99 ms | added p50 / p99 ms | proxy CPU"
                + " µs per request (of which JIT threads) | CPU × nginx | CPU × bare SCG |"
                + " errors |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Object o : (List<?>) c.get("chat")) {
      Map<?, ?> row = (Map<?, ?>) o;
      Map<?, ?> paths = (Map<?, ?>) row.get("paths");
      for (String p : PATHS) {
        Map<?, ?> x = (Map<?, ?>) paths.get(p);
        if (x == null) {
          continue;
        }
        sb.append("| ")
            .append(d0(row.get("clients")))
            .append(" | ")
            .append(LABELS.get(p))
            .append(" | ")
            .append(String.format(Locale.ROOT, "%.0f", d(x.get("throughput_rps"))))
            .append(" | ")
            .append(
                x.get("throughput_vs_direct") == null ? "–" : pct(d(x.get("throughput_vs_direct"))))
            .append(" | ")
            .append(f(d(x.get("p50_ms"))))
            .append(" / ")
            .append(f(d(x.get("p99_ms"))))
            .append(" | ")
            .append(f(d(x.get("added_p50_ms"))))
            .append(" / ")
            .append(f(d(x.get("added_p99_ms"))))
            .append(" | ")
            .append(cpu(x, "cpu_us_per_request"))
            .append(" | ")
            .append(times(paths, p, "nginx", "cpu_us_per_request"))
            .append(" | ")
            .append(times(paths, p, "bare_scg", "cpu_us_per_request"))
            .append(" | ")
            .append(d0(x.get("errors")))
            .append(" |\n");
      }
    }
    stream(sb, c);
    curve(sb, c);
  }

  private static void stream(StringBuilder sb, Map<?, ?> c) {
    sb.append("\n#### Stream (`stream: true`)\n")
        .append(
            "| clients | path | streams/s | vs direct | TTFT p50 / p99 ms | added TTFT p50 / p99"
                + " ms | gap p99 ms | added gap p99 ms | events per stream | proxy CPU µs per"
                + " stream | per SSE event | CPU × nginx | CPU × bare SCG | errors |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Object o : (List<?>) c.get("stream")) {
      Map<?, ?> row = (Map<?, ?>) o;
      Map<?, ?> paths = (Map<?, ?>) row.get("paths");
      for (String p : PATHS) {
        Map<?, ?> x = (Map<?, ?>) paths.get(p);
        if (x == null) {
          continue;
        }
        Map<?, ?> tt = (Map<?, ?>) x.get("ttft");
        Map<?, ?> gp = (Map<?, ?>) x.get("gap");
        sb.append("| ")
            .append(d0(row.get("clients")))
            .append(" | ")
            .append(LABELS.get(p))
            .append(" | ")
            .append(String.format(Locale.ROOT, "%.0f", d(x.get("throughput_rps"))))
            .append(" | ")
            .append(
                x.get("throughput_vs_direct") == null ? "–" : pct(d(x.get("throughput_vs_direct"))))
            .append(" | ")
            .append(f(d(tt.get("p50_ms"))))
            .append(" / ")
            .append(f(d(tt.get("p99_ms"))))
            .append(" | ")
            .append(f(d(x.get("added_ttft_p50_ms"))))
            .append(" / ")
            .append(f(d(x.get("added_ttft_p99_ms"))))
            .append(" | ")
            .append(f(d(gp.get("p99_ms"))))
            .append(" | ")
            .append(f(d(x.get("added_gap_p99_ms"))))
            .append(" | ")
            .append(String.format(Locale.ROOT, "%.1f", d(x.get("events_per_request"))))
            .append(" | ")
            .append(cpu(x, "cpu_us_per_request"))
            .append(" | ")
            .append(x.get("cpu_us_per_event") == null ? "–" : f(d(x.get("cpu_us_per_event"))))
            .append(" | ")
            .append(times(paths, p, "nginx", "cpu_us_per_event"))
            .append(" | ")
            .append(times(paths, p, "bare_scg", "cpu_us_per_event"))
            .append(" | ")
            .append(d0(x.get("errors")))
            .append(" |\n");
      }
    }
  }

  private static void curve(StringBuilder sb, Map<?, ?> c) {
    List<?> curve = (List<?>) c.get("warmup_curve");
    if (curve == null || curve.isEmpty()) {
      return;
    }
    double steady = Targets.steadyCpu(c);
    sb.append("\n#### Warm-up curve: a cold gateway JVM under the non-stream load at once\n")
        .append(
            "| window, s from the first request | requests | rps | p50 / p99 ms | gateway CPU µs"
                + " per request | of which JIT threads | × steady state |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (Object o : curve) {
      Map<?, ?> w = (Map<?, ?>) o;
      double cpu = d(w.get("cpu_us_per_request"));
      sb.append("| ")
          .append(d0(w.get("from_s")))
          .append("–")
          .append(d0(w.get("to_s")))
          .append(" | ")
          .append(d0(w.get("requests")))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.0f", d(w.get("throughput_rps"))))
          .append(" | ")
          .append(f(d(w.get("p50_ms"))))
          .append(" / ")
          .append(f(d(w.get("p99_ms"))))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.0f", cpu))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.0f", d(w.get("jit_us_per_request"))))
          .append(" | ")
          .append(
              Double.isNaN(steady) || steady == 0
                  ? "–"
                  : String.format(Locale.ROOT, "%.1f", cpu / steady))
          .append(" |\n");
    }
  }

  private static String cpu(Map<?, ?> x, String field) {
    if (x.get(field) == null) {
      return "–";
    }
    return String.format(
        Locale.ROOT, "%.0f (%.0f)", d(x.get(field)), d(x.get("jit_us_per_request")));
  }

  /** This path's CPU as a multiple of another's ("×2.1"), or – when either has none. */
  private static String times(Map<?, ?> paths, String p, String floor, String field) {
    Map<?, ?> a = (Map<?, ?>) paths.get(p);
    Map<?, ?> b = (Map<?, ?>) paths.get(floor);
    if (a == null
        || b == null
        || a.get(field) == null
        || b.get(field) == null
        || d(b.get(field)) == 0) {
      return "–";
    }
    return String.format(Locale.ROOT, "×%.1f", d(a.get(field)) / d(b.get(field)));
  }
}
