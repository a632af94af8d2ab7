package io.zeroscale.sim.metrics;

import java.util.Arrays;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus histogram with fixed upper bounds. Observations touch one striped counter and one
 * adder, so the hot path never contends on a lock.
 */
public final class Histogram {

  private final double[] upperBounds;
  // counts[i] = observations in (upperBounds[i-1], upperBounds[i]]; the last slot is +Inf.
  private final LongAdder[] counts;
  private final DoubleAdder sum = new DoubleAdder();

  public Histogram(double... upperBounds) {
    if (upperBounds.length == 0) {
      throw new IllegalArgumentException("a histogram needs at least one bucket");
    }
    for (int i = 1; i < upperBounds.length; i++) {
      if (!(upperBounds[i] > upperBounds[i - 1])) {
        throw new IllegalArgumentException(
            "bucket bounds must increase: " + Arrays.toString(upperBounds));
      }
    }
    this.upperBounds = upperBounds.clone();
    this.counts = new LongAdder[upperBounds.length + 1];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  /** Records one value (seconds for the latency histograms). */
  public void observe(double value) {
    int i = Arrays.binarySearch(upperBounds, value);
    // Exact hit: that bucket (le is inclusive). Miss: the insertion point is the first larger
    // bound.
    int bucket = i >= 0 ? i : -i - 1;
    counts[bucket].increment();
    sum.add(value);
  }

  /** A consistent-enough view for one scrape: cumulative counts end with the total. */
  public Snapshot snapshot() {
    long[] cumulative = new long[counts.length];
    long running = 0;
    for (int i = 0; i < counts.length; i++) {
      running += counts[i].sum();
      cumulative[i] = running;
    }
    return new Snapshot(upperBounds.clone(), cumulative, sum.sum());
  }

  /**
   * Cumulative bucket counts; {@code cumulative[upperBounds.length]} is the +Inf bucket and equals
   * the count.
   */
  public record Snapshot(double[] upperBounds, long[] cumulative, double sum) {
    public long count() {
      return cumulative[cumulative.length - 1];
    }
  }
}
