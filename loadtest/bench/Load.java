package bench;

import static bench.Processes.schedstat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One round of closed-loop load: {@code clients} clients, each on its own platform thread and
 * keep-alive connection, send requests back to back; samples count only for requests that started
 * after the warm-up and ended before the deadline.
 */
final class Load {
  private final Target target;
  private final Mode mode;
  private final RoundResult rr = new RoundResult();
  private final long start;
  private final long recordFrom;
  private final long deadline;

  private Load(Target target, Mode mode, Duration warm, Duration meas) {
    this.target = target;
    this.mode = mode;
    this.start = System.nanoTime() + 200_000_000L; // time for every thread to connect
    this.recordFrom = start + warm.toNanos();
    this.deadline = recordFrom + meas.toNanos();
    rr.measuredNs = meas.toNanos();
  }

  static RoundResult round(Run run, Target t, Mode m, int clients, Duration warm, Duration meas)
      throws InterruptedException {
    Load load = new Load(t, m, warm, meas);
    CountDownLatch done = new CountDownLatch(clients);
    for (int c = 0; c < clients; c++) {
      byte[] req = t.request("warm", m.stream, Options.MAX_TOKENS, "benchmark prompt");
      Thread.ofPlatform()
          .name("load-" + t.name() + "-" + c)
          .daemon()
          .start(() -> load.client(req, done));
    }
    load.measureProcesses(run);
    if (!done.await(meas.toSeconds() + warm.toSeconds() + 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("round did not finish");
    }
    return load.rr;
  }

  /**
   * CPU time and run-queue wait of the gateway and simulator JVMs over the measured window only
   * (read from /proc, {@link Processes#schedstat}): what a request costs each process, and how long
   * its threads were runnable but waiting for a core (the machine's contention).
   */
  private void measureProcesses(Run run) throws InterruptedException {
    while (System.nanoTime() < recordFrom) {
      Thread.sleep(1);
    }
    long[] g0 = schedstat(run.gatewayPid);
    long[] s0 = schedstat(run.simPid);
    long[] c0 = schedstat(ProcessHandle.current().pid());
    while (System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    long[] g1 = schedstat(run.gatewayPid);
    long[] s1 = schedstat(run.simPid);
    long[] c1 = schedstat(ProcessHandle.current().pid());
    rr.clientSched = new long[] {c1[0] - c0[0], c1[1] - c0[1]};
    rr.gatewaySched = new long[] {g1[0] - g0[0], g1[1] - g0[1]};
    rr.simSched = new long[] {s1[0] - s0[0], s1[1] - s0[1]};
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
      rr.completed.incrementAndGet();
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
      rr.errors.incrementAndGet();
      if (rr.errorSamples.size() < 3) {
        rr.errorSamples.add(sample);
      }
    }
  }
}
