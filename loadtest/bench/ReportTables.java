package bench;

import static bench.Report.d;
import static bench.Report.d0;
import static bench.Report.f;
import static bench.Report.pair;
import static bench.Report.pct;
import static bench.Report.perRound;
import static bench.Report.rows;
import static bench.Report.sched;
import static bench.Report.sub;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The Markdown tables of the generated section of docs/benchmarks.md, one method per phase. */
final class ReportTables {
  private ReportTables() {}

  static void chat(StringBuilder sb, Map<String, Object> r) {
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
  }

  static void stream(StringBuilder sb, Map<String, Object> r) {
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
  }

  static void coldStart(StringBuilder sb, Map<?, ?> c) {
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

  static void held(StringBuilder sb, Map<?, ?> h) {
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

  static void profile(StringBuilder sb, Map.Entry<?, ?> pe) {
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
    topFrames(sb, (List<?>) p.get("top_self"), frame -> frame);
    sb.append("\n| gateway code on the stack (inclusive) | share |\n|---|---|\n");
    // A lambda's hidden-class suffix differs from run to run.
    topFrames(
        sb,
        (List<?>) p.get("top_inclusive_gateway_code"),
        frame -> frame.replaceAll("\\$\\$Lambda[./]0x[0-9a-f]+", "\\$\\$Lambda"));
  }

  /** The first 12 frames of a profile table, one row each: `frame` | share. */
  private static void topFrames(StringBuilder sb, List<?> frames, UnaryOperator<String> name) {
    int n = 0;
    for (Object o : frames) {
      if (n++ == 12) {
        break;
      }
      Map<?, ?> x = (Map<?, ?>) o;
      sb.append("| `")
          .append(name.apply(String.valueOf(x.get("frame"))))
          .append("` | ")
          .append(pct(d(x.get("share"))))
          .append(" |\n");
    }
  }
}
