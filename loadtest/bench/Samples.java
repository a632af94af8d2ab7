package bench;

import java.util.Arrays;

/** A growable array of nanosecond samples, safe to add to from many threads. */
final class Samples {
  private long[] a = new long[1024];
  private int n;

  synchronized void add(long v) {
    if (n == a.length) {
      a = Arrays.copyOf(a, n * 2);
    }
    a[n++] = v;
  }

  synchronized void addAll(Samples o) {
    for (long v : o.toArray()) {
      add(v);
    }
  }

  synchronized int size() {
    return n;
  }

  synchronized long[] toArray() {
    return Arrays.copyOf(a, n);
  }
}
