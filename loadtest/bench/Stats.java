package bench;

import static bench.Util.map;
import static bench.Util.ms;
import static bench.Util.round3;

import java.util.Arrays;
import java.util.Map;

/** Percentiles of a set of nanosecond samples (nearest rank). */
record Stats(int n, long p50, long p90, long p99, long max, double mean) {
  static Stats of(long[] v) {
    if (v.length == 0) {
      return new Stats(0, 0, 0, 0, 0, 0);
    }
    long[] s = v.clone();
    Arrays.sort(s);
    return new Stats(
        s.length,
        pct(s, 0.50),
        pct(s, 0.90),
        pct(s, 0.99),
        s[s.length - 1],
        Arrays.stream(s).average().orElse(0));
  }

  static long pct(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  Map<String, Object> toMap() {
    return map(
        "n",
        n,
        "p50_ms",
        ms(p50),
        "p90_ms",
        ms(p90),
        "p99_ms",
        ms(p99),
        "max_ms",
        ms(max),
        "mean_ms",
        round3(mean / 1e6));
  }
}
