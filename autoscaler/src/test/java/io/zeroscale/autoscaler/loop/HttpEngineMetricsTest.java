package io.zeroscale.autoscaler.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class HttpEngineMetricsTest {

  @Test
  void addsRunningAndWaitingOverLabelledSeries() {
    String page =
        """
        # HELP vllm:num_requests_running Number of requests running.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{model_name="m"} 8.0
        vllm:num_requests_running{model_name="acme/m"} 1
        vllm:num_requests_waiting 3.0 1767225600000
        vllm:time_to_first_token_seconds_count 42
        """;
    assertThat(HttpEngineMetrics.parse(page)).hasValue(12.0);
  }

  @Test
  void anEngineWithoutTheSeriesIsNoSignal() {
    assertThat(HttpEngineMetrics.parse("process_cpu_seconds_total 1.5\n"))
        .isEqualTo(OptionalDouble.empty());
  }
}
