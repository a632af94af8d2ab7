package io.zeroscale.sim.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The simulator's metrics: vLLM's names for what vLLM exposes, {@code sim:} for what only a
 * simulator can know (cancellations, injected failures, the highest concurrency ever seen).
 */
public final class SimMetrics {

  /** vLLM's {@code vllm:time_to_first_token_seconds} buckets. */
  static final double[] TTFT_BUCKETS = {
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
    20.0, 40.0, 80.0, 160.0, 640.0, 2560.0
  };

  /** vLLM's {@code vllm:e2e_request_latency_seconds} buckets. */
  static final double[] E2E_BUCKETS = {
    0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0,
    480.0, 960.0, 1920.0, 7680.0
  };

  private final String modelLabel;
  private final IntSupplier running;
  private final IntSupplier waiting;
  private final IntSupplier maxRunningSeen;
  private final int maxNumSeqs;
  private final Histogram ttft = new Histogram(TTFT_BUCKETS);
  private final Histogram e2e = new Histogram(E2E_BUCKETS);
  private final LongAdder successStop = new LongAdder();
  private final LongAdder successLength = new LongAdder();
  private final LongAdder promptTokens = new LongAdder();
  private final LongAdder generationTokens = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicLong requests = new AtomicLong();

  /**
   * @param modelName the {@code model_name} label (the first served name)
   * @param running gauge source: requests holding a slot
   * @param waiting gauge source: requests in the FIFO queue
   * @param maxRunningSeen gauge source: highest {@code running} ever
   * @param maxNumSeqs capacity, for the KV-cache usage stand-in
   */
  public SimMetrics(
      String modelName,
      IntSupplier running,
      IntSupplier waiting,
      IntSupplier maxRunningSeen,
      int maxNumSeqs) {
    this.modelLabel = PrometheusText.label("model_name", modelName);
    this.running = running;
    this.waiting = waiting;
    this.maxRunningSeen = maxRunningSeen;
    this.maxNumSeqs = maxNumSeqs;
  }

  /** Counts an inference request arriving; returns how many have arrived, this one included. */
  public long requestArrived() {
    return requests.incrementAndGet();
  }

  public void rejected() {
    rejected.increment();
  }

  public void failed() {
    failed.increment();
  }

  public void cancelled() {
    cancelled.increment();
  }

  public void timeToFirstToken(double seconds) {
    ttft.observe(seconds);
  }

  /** A request finished normally. */
  public void succeeded(boolean lengthCapped, int prompt, int generated, double e2eSeconds) {
    (lengthCapped ? successLength : successStop).increment();
    promptTokens.add(prompt);
    generationTokens.add(generated);
    e2e.observe(e2eSeconds);
  }

  public long requestsTotal() {
    return requests.get();
  }

  public long cancelledTotal() {
    return cancelled.sum();
  }

  public long rejectedTotal() {
    return rejected.sum();
  }

  public long failedTotal() {
    return failed.sum();
  }

  public long successTotal() {
    return successStop.sum() + successLength.sum();
  }

  public Histogram.Snapshot timeToFirstTokenSnapshot() {
    return ttft.snapshot();
  }

  public Histogram.Snapshot e2eSnapshot() {
    return e2e.snapshot();
  }

  /** The {@code /metrics} body. */
  public String render() {
    PrometheusText t = new PrometheusText();
    String m = modelLabel;
    int runningNow = running.getAsInt();
    t.gauge(
        "vllm:num_requests_running",
        "Number of requests in model execution batches.",
        m,
        runningNow);
    t.gauge(
        "vllm:num_requests_waiting",
        "Number of requests waiting to be processed.",
        m,
        waiting.getAsInt());
    t.gauge(
        "vllm:kv_cache_usage_perc",
        "KV-cache usage stand-in: running requests / max-num-seqs (1 = full).",
        m,
        (double) runningNow / maxNumSeqs);
    t.histogram(
        "vllm:time_to_first_token_seconds",
        "Histogram of time to first token in seconds (from arrival, queueing included).",
        m,
        ttft.snapshot());
    t.histogram(
        "vllm:e2e_request_latency_seconds",
        "Histogram of end to end request latency in seconds.",
        m,
        e2e.snapshot());
    t.header("vllm:request_success_total", "counter", "Count of successfully processed requests.")
        .sample(
            "vllm:request_success_total",
            m + "," + PrometheusText.label("finished_reason", "stop"),
            successStop.sum())
        .sample(
            "vllm:request_success_total",
            m + "," + PrometheusText.label("finished_reason", "length"),
            successLength.sum());
    t.counter(
        "vllm:prompt_tokens_total", "Number of prefill tokens processed.", m, promptTokens.sum());
    t.counter(
        "vllm:generation_tokens_total",
        "Number of generation tokens processed.",
        m,
        generationTokens.sum());
    t.counter("sim:requests_total", "Inference requests received while ready.", m, requests.get());
    t.counter(
        "sim:requests_cancelled_total",
        "Requests whose client went away while waiting or running.",
        m,
        cancelled.sum());
    t.counter(
        "sim:requests_rejected_total",
        "Requests rejected with 429 because the waiting queue was full.",
        m,
        rejected.sum());
    t.counter(
        "sim:requests_failed_total",
        "Requests failed with 500 by --failure-injection-rate.",
        m,
        failed.sum());
    t.gauge(
        "sim:max_num_requests_running_seen",
        "Highest number of requests ever running at once.",
        m,
        maxRunningSeen.getAsInt());
    return t.toString();
  }
}
