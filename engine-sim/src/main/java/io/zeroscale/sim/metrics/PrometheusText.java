package io.zeroscale.sim.metrics;

import java.util.Locale;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): {@code # HELP}, {@code # TYPE},
 * then samples. Counter families are named with their {@code _total} suffix, as Python's
 * prometheus_client (and therefore vLLM) writes them.
 */
public final class PrometheusText {

  /** The content type Prometheus expects for this format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final StringBuilder out = new StringBuilder(4096);

  public PrometheusText header(String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  /** One sample; {@code labels} is already rendered ({@code model_name="m"}) or empty. */
  public PrometheusText sample(String name, String labels, double value) {
    out.append(name);
    if (!labels.isEmpty()) {
      out.append('{').append(labels).append('}');
    }
    out.append(' ').append(number(value)).append('\n');
    return this;
  }

  /** A gauge of one sample: its header, then the sample. */
  public PrometheusText gauge(String name, String help, String labels, double value) {
    return header(name, "gauge", help).sample(name, labels, value);
  }

  /** A counter of one sample: its header, then the sample. */
  public PrometheusText counter(String name, String help, String labels, double value) {
    return header(name, "counter", help).sample(name, labels, value);
  }

  public PrometheusText histogram(
      String name, String help, String labels, Histogram.Snapshot snapshot) {
    header(name, "histogram", help);
    String prefix = labels.isEmpty() ? "" : labels + ",";
    double[] bounds = snapshot.upperBounds();
    for (int i = 0; i < bounds.length; i++) {
      sample(
          name + "_bucket", prefix + "le=\"" + number(bounds[i]) + "\"", snapshot.cumulative()[i]);
    }
    sample(name + "_bucket", prefix + "le=\"+Inf\"", snapshot.count());
    sample(name + "_sum", labels, snapshot.sum());
    sample(name + "_count", labels, snapshot.count());
    return this;
  }

  @Override
  public String toString() {
    return out.toString();
  }

  /** Renders {@code key="value"} with the format's escapes (backslash, quote, newline). */
  public static String label(String key, String value) {
    StringBuilder sb = new StringBuilder(key.length() + value.length() + 3);
    sb.append(key).append("=\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        default -> sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /** Integers without a fraction ({@code 3}), others as Java doubles ({@code 0.025}). */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return String.format(Locale.ROOT, "%d", (long) value);
    }
    return Double.toString(value);
  }

  private static String escapeHelp(String help) {
    return help.replace("\\", "\\\\").replace("\n", "\\n");
  }
}
