package bench;

import static bench.Util.log;
import static bench.Util.round1;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Phase 4, held requests: a second gateway with -Xmx1g and instances that boot slowly holds N real
 * streaming requests spread over scaled-to-zero deployments; its heap after GC, threads and RSS are
 * read while all are held, then every request must end with {@code [DONE]}.
 */
final class HeldRequests implements Scenario {
  private final Run run;
  private final Options o;
  private final AtomicInteger finished = new AtomicInteger();
  private final AtomicInteger ok = new AtomicInteger();
  private final AtomicInteger sent = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final CountDownLatch all;

  // At most 256 connects in flight: 10 000 at once overflow the listen backlog (SYN queue),
  // which says nothing about holding requests.
  private final Semaphore connecting = new Semaphore(256);

  HeldRequests(Run run) {
    this.run = run;
    this.o = run.options;
    this.all = new CountDownLatch(o.heldRequests);
  }

  @Override
  public Map<String, Object> run() throws Exception {
    Gateway gw =
        Gateway.start(
            run,
            "held",
            List.of("-Xmx1g"),
            List.of(
                "--zeroscale.runtime.process.gpus=" + Math.max(8, o.heldDeployments),
                "--zeroscale.runtime.process.sim.startup-duration=" + o.heldBoot.toSeconds() + "s",
                // One bench key holds every request: lift the default per-key bound (2048).
                "--zeroscale.gateway.per-key.max-in-flight=" + Math.max(2048, o.heldRequests),
                "--zeroscale.runtime.process.sim.time-to-first-token=" + Options.TTFT,
                "--zeroscale.runtime.process.sim.inter-token-latency=" + Options.ITL));
    Map<String, Object> out = new LinkedHashMap<>();
    int errors = 0;
    try {
      errors = hold(gw, out);
    } finally {
      gw.stop();
    }
    out.put(ERRORS, errors);
    return out;
  }

  private int hold(Gateway gw, Map<String, Object> out) throws Exception {
    String key = gw.benchKey();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < o.heldDeployments; i++) {
      names.add("held" + i);
      gw.createDeployment(key, "held" + i, 0, 256, 3600);
    }
    for (String n : names) {
      gw.awaitStatus(key, n, "scaled_to_zero", Duration.ofSeconds(30));
      gw.awaitRouted(key, n, Duration.ofSeconds(30));
    }
    Thread.sleep(2000);
    Mem before = Mem.of(gw.pid());
    log("held: before " + before);
    long t0 = System.nanoTime();
    for (int i = 0; i < o.heldRequests; i++) {
      String name = names.get(i % names.size());
      Target t = new Target("gateway", "127.0.0.1", gw.port(), key);
      Thread.ofVirtual().start(() -> request(t, name));
    }
    long depth = awaitDepth(gw, key);
    long holdAllMs = (System.nanoTime() - t0) / 1_000_000;
    log("held: queue depth " + depth + " of " + o.heldRequests + " after " + holdAllMs + " ms");
    Mem held = Mem.of(gw.pid());
    int finishedWhileMeasured = finished.get();
    log("held: while holding " + held + ", finished early " + finishedWhileMeasured);
    boolean allDone = all.await(o.heldBoot.toSeconds() + 180, TimeUnit.SECONDS);
    long servedMs = (System.nanoTime() - t0) / 1_000_000;
    int errors = o.heldRequests - ok.get();
    if (depth < o.heldRequests || finishedWhileMeasured > 0) {
      errors++;
    }
    out.put("held_requests", o.heldRequests);
    out.put("deployments", o.heldDeployments);
    out.put("gateway_heap_max", "-Xmx1g");
    out.put("queue_depth_seen", depth);
    out.put("all_held_after_ms", holdAllMs);
    out.put("before", before.toMap());
    out.put("held", held.toMap());
    out.put(
        "heap_per_held_request_kib",
        round1((held.heapUsedKib() - before.heapUsedKib()) / (double) o.heldRequests));
    out.put("finished_before_measurement", finishedWhileMeasured);
    out.put("served_ok", ok.get());
    out.put("all_finished", allDone);
    out.put("all_finished_after_ms", servedMs);
    out.put("failures", List.copyOf(failures));
    log("held: served " + ok.get() + " of " + o.heldRequests + " " + failures);
    return errors;
  }

  /** Every request is held once the gateways' published queue depths add up to the count. */
  private long awaitDepth(Gateway gw, String key) throws Exception {
    long depth = 0;
    long deadline = System.nanoTime() + Math.max(10, o.heldBoot.toSeconds() - 5) * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      depth = gw.totalQueueDepth(key);
      if (depth >= o.heldRequests) {
        break;
      }
      Thread.sleep(250);
    }
    return depth;
  }

  /** One held request, on its own virtual thread and connection. */
  private void request(Target t, String name) {
    Conn conn;
    try {
      connecting.acquire();
      try {
        conn = new Conn(t.host(), t.port(), 0, 60_000);
      } finally {
        connecting.release();
      }
    } catch (IOException | InterruptedException e) {
      failure("connect: " + e);
      finished.incrementAndGet();
      all.countDown();
      return;
    }
    try (Conn c = conn) {
      Exchange ex =
          c.exchange(t.request(name, true, 4, "held request"), true, sent::incrementAndGet);
      if (ex.status == 200 && ex.done) {
        ok.incrementAndGet();
      } else {
        failure("status " + ex.status + " done " + ex.done);
      }
    } catch (IOException e) {
      failure(e.toString());
    } finally {
      finished.incrementAndGet();
      all.countDown();
    }
  }

  private void failure(String what) {
    if (failures.size() < 5) {
      failures.add(what);
    }
  }
}
