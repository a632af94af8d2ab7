package bench;

import static bench.Report.d;
import static bench.Report.d0;
import static bench.Report.rows;
import static bench.Report.sub;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Latency vs concurrency, p50 and p99, direct and gateway, non-stream; log-scaled x. */
final class Svg {
  // Canvas, margins (left, right for the legend, top, bottom) and plot area, in pixels.
  private final int w = 640;
  private final int h = 360;
  private final int l = 60;
  private final int rt = 150;
  private final int t = 30;
  private final int b = 50;
  private final int pw = w - l - rt;
  private final int ph = h - t - b;

  private final List<Map<String, Object>> rows;
  private final double lo;
  private final double hi;
  private final double xs;
  private final StringBuilder sb = new StringBuilder();

  private Svg(List<Map<String, Object>> rows) {
    this.rows = rows;
    double maxY = 0;
    double minY = Double.MAX_VALUE;
    for (Map<String, Object> row : rows) {
      for (String side : List.of("direct", "gateway")) {
        maxY = Math.max(maxY, d(sub(row, side).get("p99_ms")));
        minY = Math.min(minY, d(sub(row, side).get("p50_ms")));
      }
    }
    this.lo = Math.floor(Math.max(0, minY - 10) / 10) * 10;
    this.hi = Math.ceil((maxY + 5) / 10) * 10;
    this.xs = rows.size() <= 1 ? 1 : Math.log(d(rows.get(rows.size() - 1).get("clients")));
  }

  static String latency(Map<String, Object> r) {
    return new Svg(rows(r, "chat")).render(r);
  }

  private String render(Map<String, Object> r) {
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
    axes();
    series();
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

  private void axes() {
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
    for (Map<String, Object> row : rows) {
      double x = x(d(row.get("clients")));
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
              x,
              t + ph + 16,
              d0(row.get("clients"))));
    }
  }

  private void series() {
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
        double x = x(d(row.get("clients")));
        double y = y(d(sub(row, s[0]).get(s[1])));
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
  }

  private double x(double c) {
    return l + (xs == 0 ? 0 : pw * Math.log(Math.max(1, c)) / xs);
  }

  private double y(double v) {
    return t + ph - ph * (v - lo) / (hi - lo);
  }
}
