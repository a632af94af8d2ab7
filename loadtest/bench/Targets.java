package bench;

import static bench.Report.at;
import static bench.Report.d;
import static bench.Report.d0;
import static bench.Report.f;
import static bench.Report.pct;
import static bench.Report.rows;

import java.util.ArrayList;
import java.util.List;
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

  static String[] verdict(String what, String target, String measured, boolean met, String miss) {
    return new String[] {what, target, measured, met ? "met" : "**missed** by " + miss};
  }
}
