package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.observe.Metering;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * What holding 10 000 requests costs one gateway: 10 deployments with no instance, 1 000 held
 * streaming requests each (their {@code max_queued_requests}), each with its real activation
 * timeout timer and its keep-alive ticker running on Reactor's shared timers, its response
 * committed and receiving comments. Prints heap used after GC and live threads, before and after.
 *
 * <p>Not run by the build (the name does not end in {@code Test}): {@code ./mvnw -o -pl gateway -am
 * test -Dtest=HeldRequestsBenchmark -Dsurefire.failIfNoSpecifiedTests=false}. See
 * docs/benchmarks.md, "Held requests", for what it covers and what it does not.
 */
class HeldRequestsBenchmark {

  private static final int DEPLOYMENTS = 10;
  private static final int PER_DEPLOYMENT = 1_000;

  /** A committed client response that counts and drops what it is sent. */
  private static final class Sink extends AbstractServerHttpResponse {
    static final AtomicInteger FLUSHES = new AtomicInteger();

    Sink() {
      super(DefaultDataBufferFactory.sharedInstance);
    }

    @Override
    public <T> T getNativeResponse() {
      throw new UnsupportedOperationException();
    }

    @Override
    protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
      return Flux.from(body).doOnNext(DataBufferUtils::release).then();
    }

    @Override
    protected Mono<Void> writeAndFlushWithInternal(
        Publisher<? extends Publisher<? extends DataBuffer>> body) {
      return Flux.from(body)
          .concatMap(c -> Flux.from(c).doOnNext(DataBufferUtils::release))
          .doOnNext(b -> FLUSHES.incrementAndGet())
          .then();
    }

    @Override
    protected void applyStatusCode() {}

    @Override
    protected void applyHeaders() {}

    @Override
    protected void applyCookies() {}
  }

  @Test
  void holdTenThousandRequests() throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    Duration keepAlive = Duration.ofMillis(200);
    HeldRequests held = new HeldRequests(keepAlive, Schedulers.parallel(), JsonMapper.shared());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Metering metering = new Metering(registry);
    // Warm up the shared schedulers and classes before the baseline.
    Schedulers.parallel().schedule(() -> {}, 1, TimeUnit.MILLISECONDS);
    long heapBefore = usedAfterGc(memory);
    int threadsBefore = Thread.activeCount();

    List<DeploymentQueue> queues = new ArrayList<>();
    List<Disposable> requests = new ArrayList<>();
    CountDownLatch served = new CountDownLatch(DEPLOYMENTS * PER_DEPLOYMENT);
    long start = System.nanoTime();
    for (int d = 0; d < DEPLOYMENTS; d++) {
      DeploymentSpec spec = spec("d" + d);
      DeploymentQueue q = new DeploymentQueue(spec.fullName(), PER_DEPLOYMENT, System::nanoTime);
      queues.add(q);
      for (int i = 0; i < PER_DEPLOYMENT; i++) {
        RequestMeter meter = new RequestMeter(metering, spec, true, System::nanoTime);
        Mono<SlotLease> slot = q.acquire(Duration.ofMinutes(15), Schedulers.parallel());
        requests.add(
            held.serve(new Sink(), slot, true, true, meter, HeldRequestsBenchmark::answer)
                .doFinally(s -> served.countDown())
                .subscribe());
      }
    }
    long heldMs = (System.nanoTime() - start) / 1_000_000;
    // Let every response commit and tick a few times.
    Thread.sleep(keepAlive.multipliedBy(5).toMillis());
    int queued = queues.stream().mapToInt(DeploymentQueue::queued).sum();
    long heapHeld = usedAfterGc(memory);
    int threadsHeld = Thread.activeCount();

    long releaseStart = System.nanoTime();
    for (int d = 0; d < DEPLOYMENTS; d++) {
      queues
          .get(d)
          .reconfigure(
              List.of(
                  new InstanceEndpoint(
                      "i" + d, "d" + d, "http://127.0.0.1:9", InstanceEndpoint.State.READY, 1)),
              PER_DEPLOYMENT,
              PER_DEPLOYMENT,
              1,
              0);
    }
    boolean allServed = served.await(60, TimeUnit.SECONDS);
    long releaseMs = (System.nanoTime() - releaseStart) / 1_000_000;

    System.out.printf(
        "held requests: %d (queued %d) in %d ms; heap used after GC: before %d MiB, held %d MiB"
            + " (%.1f KiB per held request); live threads: before %d, held %d; keep-alive"
            + " flushes %d; all %d served %d ms after their instances appeared: %s%n",
        requests.size(),
        queued,
        heldMs,
        heapBefore >> 20,
        heapHeld >> 20,
        (heapHeld - heapBefore) / 1024.0 / requests.size(),
        threadsBefore,
        threadsHeld,
        Sink.FLUSHES.get(),
        requests.size(),
        releaseMs,
        allServed);
    assertThat(queued).isEqualTo(DEPLOYMENTS * PER_DEPLOYMENT);
    assertThat(heapHeld - heapBefore).isLessThan(1L << 30);
    assertThat(threadsHeld - threadsBefore).as("no thread per request").isLessThan(16);
    assertThat(allServed).isTrue();
  }

  private static Mono<Void> answer(
      SlotLease lease, org.springframework.http.server.reactive.ServerHttpResponse target) {
    target.getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);
    return target.writeAndFlushWith(
        Flux.just(
            Mono.just(
                target.bufferFactory().wrap("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8)))));
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static DeploymentSpec spec(String id) {
    return new DeploymentSpec(
        id,
        "t1",
        "acme",
        "model-" + id,
        Family.LLM,
        "hf://a/b@main",
        "A100-80GB",
        1,
        1000,
        new ScalingSettings(0, 1, 300, 900, 1000, 0.7, 60, true),
        DeploymentStatus.SCALED_TO_ZERO,
        null,
        1,
        1,
        EngineOptions.NONE,
        1);
  }
}
