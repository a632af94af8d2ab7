package bench;

import static bench.Util.ms;

import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What one round of load measured on one side. */
final class RoundResult {
  final Samples latency = new Samples();
  final Samples ttft = new Samples();
  final Samples gaps = new Samples();
  final AtomicInteger errors = new AtomicInteger();
  final AtomicLong completed = new AtomicLong();
  final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
  long measuredNs;

  /** {on-CPU ns, run-queue wait ns} of the gateway JVM and the simulator over the round. */
  long[] gatewaySched = {0, 0};

  long[] simSched = {0, 0};
  long[] clientSched = {0, 0};

  /**
   * The proxy under test ({@link Load#windows}'s {@code proxyPid}) over the window: CPU ns of the
   * whole process (every thread, /proc/PID/stat) and of its JIT compiler threads alone.
   */
  long proxyCpuNs;

  long proxyJitNs;

  /** This JVM, the load generator, whole process (/proc/PID/stat) over the window. */
  long clientCpuNs;

  /** SSE events (not counting {@code [DONE]}) of the requests counted in this window. */
  final AtomicLong events = new AtomicLong();

  double throughput() {
    return measuredNs == 0 ? 0 : latency.size() * 1e9 / measuredNs;
  }

  String brief() {
    Stats s = Stats.of(latency.toArray());
    String t = "";
    if (ttft.size() > 0) {
      Stats ts = Stats.of(ttft.toArray());
      Stats gs = Stats.of(gaps.toArray());
      t =
          String.format(
              Locale.ROOT,
              " ttft p50 %.2f p99 %.2f gap p50 %.2f p99 %.2f",
              ms(ts.p50()),
              ms(ts.p99()),
              ms(gs.p50()),
              ms(gs.p99()));
    }
    long n = Math.max(1, completed.get());
    return String.format(
            Locale.ROOT,
            "n=%d %.0f rps p50 %.2f p99 %.2f ms%s errors %d | per request: gateway cpu %.0f us"
                + " wait %.0f us, sim cpu %.0f us wait %.0f us",
            latency.size(),
            throughput(),
            ms(s.p50()),
            ms(s.p99()),
            t,
            errors.get(),
            gatewaySched[0] / 1e3 / n,
            gatewaySched[1] / 1e3 / n,
            simSched[0] / 1e3 / n,
            simSched[1] / 1e3 / n)
        + (errorSamples.isEmpty() ? "" : " e.g. " + errorSamples.peek());
  }
}
