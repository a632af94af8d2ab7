package bench;

import static bench.Report.at;
import static bench.Report.d;
import static bench.Report.d0;
import static bench.Report.f;
import static bench.Report.pct;
import static bench.Report.rows;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The targets of SPEC §7: what each phase's results say against them. */
final class Targets {
  private Targets() {}

  /** One line per target of SPEC §7: target, spec, measured, verdict. */
  @SuppressWarnings("unchecked")
  static List<String[]> of(Map<String, Object> r) {
    List<String[]> t = new ArrayList<>();
    // The highest client count of the run (the same as --levels' last).
    List<Object> levels = (List<Object>) ((Map<String, Object>) r.get("settings")).get("levels");
    int top = ((Number) levels.get(levels.size() - 1)).intValue();
    Map<String, Object> chat = at(rows(r, "chat"), top);
    if (chat != null) {
      chat(t, chat);
    }
    Map<String, Object> st = at(rows(r, "stream"), top);
    if (st != null) {
      stream(t, st);
    }
    if (r.get("cold_start") instanceof Map<?, ?> c) {
      coldStart(t, c);
    }
    if (r.get("held") instanceof Map<?, ?> h) {
      held(t, h);
    }
    return t;
  }

  private static void chat(List<String[]> t, Map<String, Object> chat) {
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

  private static void stream(List<String[]> t, Map<String, Object> st) {
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

  private static void coldStart(List<String[]> t, Map<?, ?> c) {
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

  private static void held(List<String[]> t, Map<?, ?> h) {
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

  /**
   * The targets of issue #14 against the CPU-bound scenario's results: CPU per request and per SSE
   * event at the first client count (50), latency and throughput at the first and the last (200),
   * and the warm-up curve against the steady state.
   */
  static List<String[]> cpu(Map<?, ?> c) {
    List<String[]> t = new ArrayList<>();
    List<?> chat = (List<?>) c.get("chat");
    List<?> stream = (List<?>) c.get("stream");
    if (chat == null || chat.isEmpty() || stream == null || stream.isEmpty()) {
      return t;
    }
    Map<?, ?> c0 = (Map<?, ?>) chat.get(0);
    Map<?, ?> cn = (Map<?, ?>) chat.get(chat.size() - 1);
    Map<?, ?> s0 = (Map<?, ?>) stream.get(0);
    Map<?, ?> sn = (Map<?, ?>) stream.get(stream.size() - 1);
    Map<?, ?> z = zeroscale(c0);
    double cpu = d(z.get("cpu_us_per_request"));
    t.add(
        verdict(
            "gateway CPU per non-stream request, " + d0(c0.get("clients")) + " clients",
            "≤ 100 µs (stretch ≤ 60)",
            f(cpu)
                + " µs (bare SCG "
                + f(d(path(c0, "bare_scg").get("cpu_us_per_request")))
                + ", nginx "
                + f(d(path(c0, "nginx").get("cpu_us_per_request")))
                + ")",
            cpu <= 100,
            f(cpu - 100) + " µs over"));
    double ev = d(zeroscale(s0).get("cpu_us_per_event"));
    t.add(
        verdict(
            "gateway CPU per forwarded SSE event, " + d0(s0.get("clients")) + " streams",
            "≤ 10 µs (stretch ≤ 5)",
            f(ev)
                + " µs (bare SCG "
                + f(d(path(s0, "bare_scg").get("cpu_us_per_event")))
                + ", nginx "
                + f(d(path(s0, "nginx").get("cpu_us_per_event")))
                + ")",
            ev <= 10,
            f(ev - 10) + " µs over"));
    addedP50(t, c0);
    double thr = d(z.get("throughput_vs_direct"));
    t.add(
        verdict(
            "throughput vs direct, non-stream, " + d0(c0.get("clients")) + " clients",
            "≥ 85 %",
            pct(thr),
            thr >= 0.85,
            pct(0.85 - thr) + " short"));
    if (cn != c0) {
      addedP50(t, cn);
    }
    double p99 = d(zeroscale(cn).get("added_p99_ms"));
    t.add(
        verdict(
            "added p99, non-stream, " + d0(cn.get("clients")) + " clients",
            "≤ 5 ms",
            f(p99) + " ms",
            p99 <= 5,
            f(p99 - 5) + " ms over"));
    Map<?, ?> zs = zeroscale(sn);
    double ttft = d(zs.get("added_ttft_p50_ms"));
    t.add(
        verdict(
            "added TTFT p50, stream, " + d0(sn.get("clients")) + " streams",
            "≤ 2 ms",
            f(ttft) + " ms",
            ttft <= 2,
            f(ttft - 2) + " ms over"));
    double gap = d(zs.get("added_gap_p99_ms"));
    t.add(
        verdict(
            "inter-event gap p99 − direct's, stream, " + d0(sn.get("clients")) + " streams",
            "≤ 1 ms",
            f(gap) + " ms",
            gap <= 1,
            f(gap - 1) + " ms over"));
    warmup(t, c);
    return t;
  }

  private static void addedP50(List<String[]> t, Map<?, ?> row) {
    double p50 = d(zeroscale(row).get("added_p50_ms"));
    t.add(
        verdict(
            "added p50, non-stream, " + d0(row.get("clients")) + " clients",
            "≤ 1 ms",
            f(p50) + " ms",
            p50 <= 1,
            f(p50 - 1) + " ms over"));
  }

  /**
   * Warm-up: CPU per request of the first curve window that ends at 10 s or later (with 8 s
   * windows, 8–16 s: an average over those seconds) against the steady state (the non-stream CPU
   * per request at the first client count).
   */
  private static void warmup(List<String[]> t, Map<?, ?> c) {
    List<?> curve = (List<?>) c.get("warmup_curve");
    double steady = steadyCpu(c);
    if (curve == null || curve.isEmpty() || Double.isNaN(steady) || steady == 0) {
      return;
    }
    Map<?, ?> w = (Map<?, ?>) curve.get(curve.size() - 1);
    for (Object o : curve) {
      if (d(((Map<?, ?>) o).get("to_s")) >= 10) {
        w = (Map<?, ?>) o;
        break;
      }
    }
    double x = d(w.get("cpu_us_per_request")) / steady;
    t.add(
        verdict(
            "warm-up: gateway CPU per request "
                + d0(w.get("from_s"))
                + "–"
                + d0(w.get("to_s"))
                + " s after a cold start ÷ steady state",
            "≤ 2× within 10 s",
            String.format(
                Locale.ROOT,
                "×%.1f (%s µs ÷ %s µs)",
                x,
                f(d(w.get("cpu_us_per_request"))),
                f(steady)),
            x <= 2,
            String.format(Locale.ROOT, "×%.1f", x - 2)));
  }

  /** The gateway's steady-state CPU per non-stream request at the first client count. */
  static double steadyCpu(Map<?, ?> c) {
    List<?> chat = (List<?>) c.get("chat");
    if (chat == null || chat.isEmpty()) {
      return Double.NaN;
    }
    return d(zeroscale((Map<?, ?>) chat.get(0)).get("cpu_us_per_request"));
  }

  private static Map<?, ?> zeroscale(Map<?, ?> row) {
    return path(row, "zeroscale");
  }

  private static Map<?, ?> path(Map<?, ?> row, String name) {
    Object p = ((Map<?, ?>) row.get("paths")).get(name);
    return p == null ? Map.of() : (Map<?, ?>) p;
  }

  static String[] verdict(String what, String target, String measured, boolean met, String miss) {
    return new String[] {what, target, measured, met ? "met" : "**missed** by " + miss};
  }
}
