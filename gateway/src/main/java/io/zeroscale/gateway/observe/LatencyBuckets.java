package io.zeroscale.gateway.observe;

import java.util.List;
import java.util.stream.LongStream;

/**
 * The fixed histogram buckets of the tenant metrics' latency and TTFT ({@link MinuteSeries}): upper
 * bounds in milliseconds {@code 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000,
 * 60000, 120000, 300000} and one last bucket for anything slower. Every gateway counts into the
 * same buckets, so that their counts add up; a percentile is then interpolated linearly inside the
 * bucket that holds it (a p95 of "1750 ms" means "between 1000 and 2500 ms, about three quarters of
 * the way"). A percentile in the last, open bucket is reported as its lower bound (300000 ms).
 */
public final class LatencyBuckets {

  private static final long[] BOUNDS_MS = {
    5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000, 300000
  };

  /** Bucket count: one per bound plus the open one. */
  public static final int COUNT = BOUNDS_MS.length + 1;

  private LatencyBuckets() {}

  /** The upper bounds in milliseconds, for the API's documentation of the buckets. */
  public static List<Long> boundsMs() {
    return LongStream.of(BOUNDS_MS).boxed().toList();
  }

  /** The bucket of a duration: the first whose upper bound is at least it. */
  public static int index(long nanos) {
    for (int i = 0; i < BOUNDS_MS.length; i++) {
      if (nanos <= BOUNDS_MS[i] * 1_000_000L) {
        return i;
      }
    }
    return BOUNDS_MS.length;
  }

  /**
   * The {@code q} quantile (0 &lt; q ≤ 1) of the counts, in milliseconds, interpolated linearly in
   * its bucket; null when the counts are all zero.
   */
  public static Double percentile(long[] counts, double q) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    if (total == 0) {
      return null;
    }
    double rank = q * total;
    long below = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0 && below + counts[i] >= rank) {
        if (i >= BOUNDS_MS.length) {
          return (double) BOUNDS_MS[BOUNDS_MS.length - 1];
        }
        double lower = i == 0 ? 0 : BOUNDS_MS[i - 1];
        double upper = BOUNDS_MS[i];
        double fraction = (rank - below) / counts[i];
        return Math.round((lower + (upper - lower) * fraction) * 10) / 10.0;
      }
      below += counts[i];
    }
    return (double) BOUNDS_MS[BOUNDS_MS.length - 1];
  }
}
