package io.zeroscale.gateway.observe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What one gateway answered for one deployment in one minute, or a sum of those: requests by status
 * class, latency and TTFT histograms ({@link LatencyBuckets}), tokens in and out, and the highest
 * queue depth and instance counts sampled in the minute. On the wire (a field of {@code
 * zs:series:<deployment>:<minute>}, {@link io.zeroscale.api.RedisSchema#series}) as {@code
 * {"requests":{"2xx":n,"4xx":n,"5xx":n,"other":n},"latency":[…],"ttft":[…],"tokens_in":n,
 * "tokens_out":n,"queued":n,"desired":n,"ready":n}}; gauges absent when never sampled. Unknown
 * fields are ignored, missing ones are zero.
 */
public final class MinuteSeries {

  /** The status classes counted; 1xx and 3xx go to {@code other}. */
  public static final List<String> CLASSES = List.of("2xx", "4xx", "5xx", "other");

  final long[] requests = new long[CLASSES.size()];
  final long[] latency = new long[LatencyBuckets.COUNT];
  final long[] ttft = new long[LatencyBuckets.COUNT];
  long tokensIn;
  long tokensOut;
  Long queued;
  Long desired;
  Long ready;

  /** The index in {@link #CLASSES} of a status. */
  static int classIndex(int status) {
    return switch (status / 100) {
      case 2 -> 0;
      case 4 -> 1;
      case 5 -> 2;
      default -> 3;
    };
  }

  /** Requests of every class. */
  public long total() {
    long n = 0;
    for (long r : requests) {
      n += r;
    }
    return n;
  }

  /**
   * Adds another's figures: counts add up (across gateways and minutes), gauges keep the highest.
   */
  public void add(MinuteSeries o) {
    for (int i = 0; i < requests.length; i++) {
      requests[i] += o.requests[i];
    }
    for (int i = 0; i < latency.length; i++) {
      latency[i] += o.latency[i];
      ttft[i] += o.ttft[i];
    }
    tokensIn += o.tokensIn;
    tokensOut += o.tokensOut;
    queued = max(queued, o.queued);
    desired = max(desired, o.desired);
    ready = max(ready, o.ready);
  }

  static Long max(Long a, Long b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : Math.max(a, b);
  }

  public String write(JsonMapper json) {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Long> byClass = new LinkedHashMap<>();
    for (int i = 0; i < CLASSES.size(); i++) {
      byClass.put(CLASSES.get(i), requests[i]);
    }
    m.put("requests", byClass);
    m.put("latency", latency);
    m.put("ttft", ttft);
    m.put("tokens_in", tokensIn);
    m.put("tokens_out", tokensOut);
    if (queued != null) {
      m.put("queued", queued);
    }
    if (desired != null) {
      m.put("desired", desired);
    }
    if (ready != null) {
      m.put("ready", ready);
    }
    return json.writeValueAsString(m);
  }

  public static MinuteSeries read(JsonMapper json, String text) {
    JsonNode n = json.readTree(text);
    MinuteSeries s = new MinuteSeries();
    for (int i = 0; i < CLASSES.size(); i++) {
      s.requests[i] = n.path("requests").path(CLASSES.get(i)).asLong(0);
    }
    readArray(n.path("latency"), s.latency);
    readArray(n.path("ttft"), s.ttft);
    s.tokensIn = n.path("tokens_in").asLong(0);
    s.tokensOut = n.path("tokens_out").asLong(0);
    s.queued = n.path("queued").isNumber() ? n.path("queued").asLong() : null;
    s.desired = n.path("desired").isNumber() ? n.path("desired").asLong() : null;
    s.ready = n.path("ready").isNumber() ? n.path("ready").asLong() : null;
    return s;
  }

  private static void readArray(JsonNode a, long[] into) {
    for (int i = 0; i < into.length && i < a.size(); i++) {
      into[i] = a.get(i).asLong(0);
    }
  }

  /** The API object of a point, with percentiles interpolated in the buckets. */
  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Long> byClass = new LinkedHashMap<>();
    for (int i = 0; i < CLASSES.size(); i++) {
      byClass.put(CLASSES.get(i), requests[i]);
    }
    m.put("requests", byClass);
    m.put("requests_total", total());
    m.put("latency_ms", percentiles(latency));
    m.put("ttft_ms", percentiles(ttft));
    m.put("tokens_in", tokensIn);
    m.put("tokens_out", tokensOut);
    m.put("queue_depth", queued);
    Map<String, Object> instances = new LinkedHashMap<>();
    instances.put("desired", desired);
    instances.put("ready", ready);
    m.put("instances", instances);
    return m;
  }

  private static Map<String, Object> percentiles(long[] counts) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("p50", LatencyBuckets.percentile(counts, 0.5));
    m.put("p95", LatencyBuckets.percentile(counts, 0.95));
    return m;
  }
}
