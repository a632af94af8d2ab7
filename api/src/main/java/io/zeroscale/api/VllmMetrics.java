package io.zeroscale.api;

import java.util.OptionalDouble;

/**
 * What an engine's {@code /metrics} page (Prometheus text, as vLLM and the engine simulator serve
 * it) says about its load: the activator reads it to know when a draining instance is idle, the
 * autoscaler as a demand signal.
 */
public final class VllmMetrics {

  private VllmMetrics() {}

  /**
   * Requests running plus waiting ({@code vllm:num_requests_running} + {@code
   * vllm:num_requests_waiting}), summed over every label set (one per model name); empty when
   * neither series is on the page (not a vLLM-compatible engine). A malformed sample counts for
   * nothing; a series that only starts with one of those names (e.g. {@code ..._total}) is another.
   */
  public static OptionalDouble requestsInFlight(String page) {
    double sum = 0;
    boolean found = false;
    for (String line : page.split("\n")) {
      if (line.startsWith("vllm:num_requests_running")
          || line.startsWith("vllm:num_requests_waiting")) {
        // name{labels} value [timestamp]: the value is the first token after the series.
        int brace = line.lastIndexOf('}');
        String[] parts = line.substring(brace + 1).trim().split("\\s+");
        String series = brace >= 0 ? line.substring(0, Math.max(0, line.indexOf('{'))) : parts[0];
        String value = brace >= 0 ? parts[0] : (parts.length > 1 ? parts[1] : "");
        if (!series.isEmpty()
            && !series.equals("vllm:num_requests_running")
            && !series.equals("vllm:num_requests_waiting")) {
          continue;
        }
        try {
          sum += Double.parseDouble(value);
          found = true;
        } catch (NumberFormatException e) {
          // a malformed sample is no sample
        }
      }
    }
    return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }
}
