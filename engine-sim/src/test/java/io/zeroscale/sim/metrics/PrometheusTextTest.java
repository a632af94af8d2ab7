package io.zeroscale.sim.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  /** One sample line of the text format: name, optional labels, value. */
  static final Pattern SAMPLE =
      Pattern.compile(
          "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*\\})?"
              + " (-?[0-9.]+([eE][-+]?[0-9]+)?|[+-]Inf|NaN)");

  @Test
  void histogramBucketsAreCumulativeWithInfSumAndCount() {
    // Binary-exact values, so the sum prints exactly.
    Histogram h = new Histogram(0.125, 1.0);
    h.observe(0.0625);
    h.observe(0.125); // le is inclusive
    h.observe(0.5);
    h.observe(4);
    String text =
        new PrometheusText().histogram("x_seconds", "help", "m=\"a\"", h.snapshot()).toString();
    assertThat(text.lines().toList())
        .containsExactly(
            "# HELP x_seconds help",
            "# TYPE x_seconds histogram",
            "x_seconds_bucket{m=\"a\",le=\"0.125\"} 2",
            "x_seconds_bucket{m=\"a\",le=\"1\"} 3",
            "x_seconds_bucket{m=\"a\",le=\"+Inf\"} 4",
            "x_seconds_sum{m=\"a\"} 4.6875",
            "x_seconds_count{m=\"a\"} 4");
  }

  @Test
  void labelValuesAreEscaped() {
    assertThat(PrometheusText.label("model_name", "a\"b\\c\nd"))
        .isEqualTo("model_name=\"a\\\"b\\\\c\\nd\"");
  }

  @Test
  void histogramBoundsMustIncrease() {
    assertThatThrownBy(() -> new Histogram(1.0, 0.5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyLineOfTheMetricsPageIsValid() {
    SimMetrics metrics = new SimMetrics("org/model \"x\"", () -> 3, () -> 1, () -> 8, 8);
    metrics.timeToFirstToken(0.042);
    metrics.succeeded(true, 5, 7, 0.9);
    metrics.cancelled();
    metrics.rejected();
    metrics.failed();
    metrics.requestArrived();
    String text = metrics.render();
    List<String> lines = text.lines().toList();
    for (String line : lines) {
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
        continue;
      }
      assertThat(line).matches(SAMPLE);
    }
    assertThat(text)
        .endsWith("\n")
        .contains("# TYPE vllm:num_requests_running gauge")
        .contains("vllm:num_requests_running{model_name=\"org/model \\\"x\\\"\"} 3")
        .contains("vllm:num_requests_waiting{model_name=\"org/model \\\"x\\\"\"} 1")
        .contains("# TYPE vllm:time_to_first_token_seconds histogram")
        .contains(
            "vllm:time_to_first_token_seconds_bucket{model_name=\"org/model \\\"x\\\"\",le=\"0.06\"} 1")
        .contains("# TYPE vllm:e2e_request_latency_seconds histogram")
        .contains("finished_reason=\"length\"} 1")
        .contains("vllm:prompt_tokens_total{model_name=\"org/model \\\"x\\\"\"} 5")
        .contains("vllm:generation_tokens_total{model_name=\"org/model \\\"x\\\"\"} 7")
        .contains("sim:requests_cancelled_total{model_name=\"org/model \\\"x\\\"\"} 1")
        .contains("sim:requests_rejected_total{model_name=\"org/model \\\"x\\\"\"} 1")
        .contains("sim:requests_failed_total{model_name=\"org/model \\\"x\\\"\"} 1")
        .contains("sim:requests_total{model_name=\"org/model \\\"x\\\"\"} 1")
        .contains("sim:max_num_requests_running_seen{model_name=\"org/model \\\"x\\\"\"} 8");
    // Every sample's family was declared with a TYPE line before it.
    for (String line : lines) {
      if (!line.startsWith("#")) {
        String name = line.substring(0, line.indexOf(line.contains("{") ? '{' : ' '));
        String family = name.replaceAll("_(bucket|sum|count)$", "");
        assertThat(text).containsAnyOf("# TYPE " + name + " ", "# TYPE " + family + " histogram");
      }
    }
  }
}
