package bench;

import static bench.Processes.schedstat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One round of closed-loop load: {@code clients} clients, each on its own platform thread and
 * keep-alive connection, send requests back to back; samples count only for requests that started
 * after the warm-up and ended before the deadline. {@link #windows} cuts the measured time into
 * consecutive windows (a warm-up curve under continuous load): a request counts in the window it
 * ended in, if it started after the warm-up.
 */
final class Load {
  private final Target target;
  private final Mode mode;
  private final RoundResult[] rrs;
  private final RoundResult first;
  private final long start;
  private final long recordFrom;
  private final long windowNs;
  private final long deadline;

  private Load(Target target, Mode mode, Duration warm, Duration window, int windows) {
    this.target = target;
    this.mode = mode;
    this.start = System.nanoTime() + 200_000_000L; // time for every thread to connect
    this.recordFrom = start + warm.toNanos();
    this.windowNs = window.toNanos();
    this.deadline = recordFrom + windowNs * windows;
    this.rrs = new RoundResult[windows];
    for (int i = 0; i < windows; i++) {
      rrs[i] = new RoundResult();
      rrs[i].measuredNs = windowNs;
    }
    this.first = rrs[0];
  }

  static RoundResult round(Run run, Target t, Mode m, int clients, Duration warm, Duration meas)
      throws InterruptedException {
    return windows(run, t, m, clients, warm, meas, 1, -1)[0];
  }

  /**
   * {@code n} consecutive windows of load after {@code warm}; besides the gateway, simulator and
   * client CPU of {@link #round}, each window has the CPU of {@code proxyPid} (the proxy under
   * test, or -1).
   */
  static RoundResult[] windows(
      Run run, Target t, Mode m, int clients, Duration warm, Duration window, int n, long proxyPid)
      throws InterruptedException {
    Load load = new Load(t, m, warm, window, n);
    CountDownLatch done = new CountDownLatch(clients);
    for (int c = 0; c < clients; c++) {
      byte[] req = t.request("warm", m.stream, Options.MAX_TOKENS, "benchmark prompt");
      Thread.ofPlatform()
          .name("load-" + t.name() + "-" + c)
          .daemon()
          .start(() -> load.client(req, done));
    }
    load.measureProcesses(run, proxyPid);
    if (!done.await(window.toSeconds() * n + warm.toSeconds() + 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("round did not finish");
    }
    return load.rrs;
  }

  /**
   * CPU time and run-queue wait of the gateway and simulator JVMs over the measured window only
   * (read from /proc, {@link Processes#schedstat}): what a request costs each process, and how long
   * its threads were runnable but waiting for a core (the machine's contention).
   */
  private void measureProcesses(Run run, long proxyPid) throws InterruptedException {
    long self = ProcessHandle.current().pid();
    long end = recordFrom;
    while (System.nanoTime() < end) {
      Thread.sleep(1);
    }
    long[] g0 = schedstat(run.gatewayPid);
    long[] s0 = schedstat(run.simPid);
    long[] c0 = schedstat(self);
    long p0 = Processes.cpuNs(proxyPid);
    long j0 = Processes.jitNs(proxyPid);
    long l0 = Processes.cpuNs(self);
    for (RoundResult w : rrs) {
      end += windowNs;
      while (System.nanoTime() < end) {
        Thread.sleep(1);
      }
      long[] g1 = schedstat(run.gatewayPid);
      long[] s1 = schedstat(run.simPid);
      long[] c1 = schedstat(self);
      long p1 = Processes.cpuNs(proxyPid);
      long j1 = Processes.jitNs(proxyPid);
      long l1 = Processes.cpuNs(self);
      w.clientSched = new long[] {c1[0] - c0[0], c1[1] - c0[1]};
      w.gatewaySched = new long[] {g1[0] - g0[0], g1[1] - g0[1]};
      w.simSched = new long[] {s1[0] - s0[0], s1[1] - s0[1]};
      w.proxyCpuNs = p1 - p0;
      w.proxyJitNs = j1 - j0;
      w.clientCpuNs = l1 - l0;
      l0 = l1;
      g0 = g1;
      s0 = s1;
      c0 = c1;
      p0 = p1;
      j0 = j1;
    }
  }

  private void client(byte[] req, CountDownLatch done) {
    Conn conn = null;
    try {
      while (System.nanoTime() < start) {
        Thread.sleep(1);
      }
      while (System.nanoTime() < deadline) {
        try {
          if (conn == null) {
            conn = new Conn(target.host(), target.port(), 30_000);
          }
          Exchange ex = conn.exchange(req, mode.stream);
          record(ex);
          if (ex.close) {
            conn.close();
            conn = null;
          }
        } catch (IOException e) {
          error(e.toString());
          if (conn != null) {
            conn.close();
          }
          conn = null;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (conn != null) {
        conn.close();
      }
      done.countDown();
    }
  }

  private void record(Exchange ex) {
    boolean ok = ex.status == 200 && (!mode.stream || ex.done);
    if (!ok) {
      error("status " + ex.status + " done " + ex.done);
    } else if (ex.startNs >= recordFrom && ex.endNs <= deadline) {
      RoundResult rr =
          windowNs == 0
              ? this.first
              : rrs[(int) Math.min(rrs.length - 1, (ex.endNs - recordFrom) / windowNs)];
      rr.completed.incrementAndGet();
      rr.events.addAndGet(ex.events.size());
      rr.latency.add(ex.endNs - ex.startNs);
      if (mode.stream) {
        rr.ttft.add(ex.events.get(0) - ex.startNs);
        for (int i = 1; i < ex.events.size(); i++) {
          rr.gaps.add(ex.events.get(i) - ex.events.get(i - 1));
        }
      }
    }
  }

  /** Errors count until the deadline; after it, a cut request is the round ending. */
  private void error(String sample) {
    if (System.nanoTime() < deadline) {
      RoundResult rr =
          windowNs == 0
              ? this.first
              : rrs[
                  (int)
                      Math.max(
                          0,
                          Math.min(rrs.length - 1, (System.nanoTime() - recordFrom) / windowNs))];
      rr.errors.incrementAndGet();
      if (rr.errorSamples.size() < 3) {
        rr.errorSamples.add(sample);
      }
    }
  }
}
