package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.InstanceEndpoint.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

class DeploymentQueueTest {

  private final AtomicLong nanos = new AtomicLong();
  private final DeploymentQueue queue = new DeploymentQueue("acme/chat", 3, nanos::get);

  private static InstanceEndpoint instance(String id, State state) {
    return new InstanceEndpoint(id, "d1", "http://127.0.0.1:9" + id.hashCode() % 1000, state, 1);
  }

  /** Subscribes and keeps what arrives; a lease is kept until the test releases it. */
  private static final class Taker {
    final List<SlotLease> leases = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();
    final List<Disposable> subscriptions = new ArrayList<>();

    void take(DeploymentQueue q, int n) {
      for (int i = 0; i < n; i++) {
        subscriptions.add(q.acquire().subscribe(leases::add, errors::add));
      }
    }
  }

  @Test
  void freeSlotsAreGrantedAtOnceOnTheLeastBusyInstance() {
    queue.reconfigure(List.of(instance("a", State.READY), instance("b", State.READY)), 2, 3, 1, 0);
    Taker t = new Taker();
    t.take(queue, 4);
    assertThat(t.leases).hasSize(4);
    assertThat(queue.inFlightByInstance()).containsEntry("a", 2).containsEntry("b", 2);
    assertThat(t.leases.stream().map(SlotLease::instanceId).limit(2))
        .containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void excessWaitsInArrivalOrderAndAReleasedSlotGoesToTheOldest() {
    queue.reconfigure(List.of(instance("a", State.READY)), 1, 3, 1, 0);
    Taker first = new Taker();
    first.take(queue, 1);
    Taker second = new Taker();
    second.take(queue, 1);
    Taker third = new Taker();
    third.take(queue, 1);
    assertThat(queue.queued()).isEqualTo(2);
    assertThat(second.leases).isEmpty();

    first.leases.get(0).release();
    assertThat(second.leases).hasSize(1);
    assertThat(third.leases).isEmpty();
    second.leases.get(0).release();
    second.leases.get(0).release();
    assertThat(third.leases).as("a double release frees one slot only").hasSize(1);
    assertThat(queue.inFlight()).isEqualTo(1);
  }

  @Test
  void aFullQueueRefusesWithQueueFull() {
    queue.reconfigure(List.of(), 4, 2, 1, 0);
    Taker waiting = new Taker();
    waiting.take(queue, 2);
    StepVerifier.create(queue.acquire()).expectError(QueueFull.class).verify(Duration.ofSeconds(1));
    assertThat(queue.queued()).isEqualTo(2);
  }

  @Test
  void cancellingAWaiterLeavesTheQueue() {
    queue.reconfigure(List.of(), 4, 3, 1, 0);
    Taker t = new Taker();
    t.take(queue, 2);
    t.subscriptions.get(0).dispose();
    assertThat(queue.queued()).isEqualTo(1);
    queue.reconfigure(List.of(instance("a", State.READY)), 4, 3, 1, 0);
    assertThat(t.leases).hasSize(1);
    assertThat(queue.inFlight()).isEqualTo(1);
  }

  @Test
  void aNewInstanceReleasesHeldRequestsUpToItsShare() {
    queue.reconfigure(List.of(), 2, 3, 1, 0);
    Taker t = new Taker();
    t.take(queue, 3);
    assertThat(t.leases).isEmpty();
    queue.reconfigure(List.of(instance("a", State.READY)), 2, 3, 1, 0);
    assertThat(t.leases).as("paced by free slots, no thundering herd").hasSize(2);
    assertThat(queue.queued()).isEqualTo(1);
  }

  @Test
  void drainingInstancesTakeNothingNewButTheirLeasesComeBack() {
    queue.reconfigure(List.of(instance("a", State.READY), instance("b", State.READY)), 1, 3, 1, 0);
    Taker t = new Taker();
    t.take(queue, 2);
    queue.reconfigure(
        List.of(instance("a", State.DRAINING), instance("b", State.READY)), 1, 3, 1, 0);
    SlotLease onA =
        t.leases.stream().filter(l -> l.instanceId().equals("a")).findFirst().orElseThrow();
    Taker more = new Taker();
    more.take(queue, 1);
    assertThat(more.leases).isEmpty();
    onA.release();
    assertThat(more.leases).as("a's freed slot is not reused").isEmpty();
    t.leases.stream().filter(l -> l.instanceId().equals("b")).forEach(SlotLease::release);
    assertThat(more.leases).hasSize(1);
    assertThat(more.leases.get(0).instanceId()).isEqualTo("b");
  }

  @Test
  void theFleetShareLimitsThisGateway() {
    // max_batch_size 4 across 2 gateways: this one may use 2 slots.
    queue.reconfigure(List.of(instance("a", State.READY)), 4, 3, 2, 1);
    Taker t = new Taker();
    t.take(queue, 3);
    assertThat(t.leases).hasSize(2);
    assertThat(queue.queued()).isEqualTo(1);
    // The other gateway died: the whole instance is ours.
    queue.reconfigure(List.of(instance("a", State.READY)), 4, 3, 1, 0);
    assertThat(t.leases).hasSize(3);
  }

  @Test
  void closeErrorsEveryWaiter() {
    queue.reconfigure(List.of(), 4, 3, 1, 0);
    Taker t = new Taker();
    t.take(queue, 2);
    queue.close(new IllegalStateException("deleted"));
    assertThat(t.errors).hasSize(2);
    assertThat(queue.queued()).isZero();
  }

  @Test
  void concurrentAcquireAndReleaseNeverExceedTheShare() throws Exception {
    queue.reconfigure(
        List.of(instance("a", State.READY), instance("b", State.READY)), 3, 10_000, 1, 0);
    int requests = 2_000;
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(requests);
    java.util.concurrent.atomic.AtomicInteger maxSeen =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      for (int i = 0; i < requests; i++) {
        pool.execute(
            () ->
                queue
                    .acquire()
                    .subscribe(
                        lease -> {
                          maxSeen.accumulateAndGet(queue.inFlight(), Math::max);
                          pool.execute(
                              () -> {
                                lease.release();
                                done.countDown();
                              });
                        }));
      }
      assertThat(done.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }
    assertThat(maxSeen.get()).isLessThanOrEqualTo(6);
    assertThat(queue.inFlight()).isZero();
    assertThat(queue.queued()).isZero();
  }

  @Test
  void aWaiterTimesOutOnceAndNeverGetsTheSlotAfterwards() {
    reactor.test.scheduler.VirtualTimeScheduler timer =
        reactor.test.scheduler.VirtualTimeScheduler.create();
    queue.reconfigure(List.of(instance("a", State.READY)), 1, 3, 1, 0);
    Taker holder = new Taker();
    holder.take(queue, 1);
    List<Throwable> errors = new ArrayList<>();
    List<SlotLease> late = new ArrayList<>();
    queue.acquire(Duration.ofSeconds(10), timer).subscribe(late::add, errors::add);
    assertThat(queue.queued()).isEqualTo(1);
    timer.advanceTimeBy(Duration.ofSeconds(10));
    assertThat(errors).singleElement().isInstanceOf(java.util.concurrent.TimeoutException.class);
    assertThat(queue.queued()).isZero();
    holder.leases.get(0).release();
    assertThat(late).isEmpty();
    assertThat(queue.inFlight()).as("the freed slot went to nobody").isZero();
  }

  @Test
  void aGrantBeforeTheTimeoutCancelsIt() {
    reactor.test.scheduler.VirtualTimeScheduler timer =
        reactor.test.scheduler.VirtualTimeScheduler.create();
    queue.reconfigure(List.of(instance("a", State.READY)), 1, 3, 1, 0);
    Taker holder = new Taker();
    holder.take(queue, 1);
    List<Throwable> errors = new ArrayList<>();
    List<SlotLease> granted = new ArrayList<>();
    queue.acquire(Duration.ofSeconds(10), timer).subscribe(granted::add, errors::add);
    holder.leases.get(0).release();
    timer.advanceTimeBy(Duration.ofSeconds(20));
    assertThat(granted).hasSize(1);
    assertThat(errors).isEmpty();
  }

  @Test
  void aClosedQueueRefusesWaitersAndNewcomers() {
    queue.reconfigure(List.of(), 4, 3, 1, 0);
    Taker t = new Taker();
    t.take(queue, 1);
    queue.close(new Routing.DeploymentGone("acme/chat"));
    assertThat(t.errors).singleElement().isInstanceOf(Routing.DeploymentGone.class);
    StepVerifier.create(queue.acquire())
        .expectError(Routing.DeploymentGone.class)
        .verify(Duration.ofSeconds(1));
  }

  @Test
  void anInstanceThatComesBackKeepsTheCountOfItsLeasesStillOut() {
    queue.reconfigure(List.of(instance("a", State.READY)), 2, 3, 1, 0);
    Taker t = new Taker();
    t.take(queue, 2);
    queue.reconfigure(List.of(), 2, 3, 1, 0);
    queue.reconfigure(List.of(instance("a", State.READY)), 2, 3, 1, 0);
    Taker more = new Taker();
    more.take(queue, 1);
    assertThat(more.leases).as("a still has 2 of its 2 slots taken").isEmpty();
    t.leases.get(0).release();
    assertThat(more.leases).hasSize(1);
  }

  @Test
  void aSuspendedInstanceGetsNothingNewUntilTheSuspensionEnds() {
    queue.reconfigure(List.of(instance("a", State.READY), instance("b", State.READY)), 4, 3, 1, 0);
    queue.suspend("a", Duration.ofSeconds(5));
    Taker t = new Taker();
    t.take(queue, 3);
    assertThat(t.leases).extracting(SlotLease::instanceId).containsOnly("b");
    nanos.addAndGet(Duration.ofSeconds(5).toNanos());
    Taker later = new Taker();
    later.take(queue, 1);
    assertThat(later.leases).extracting(SlotLease::instanceId).containsExactly("a");
  }

  @Test
  void aRefusingQueueFailsItsWaitersAndNewcomersUntilItHoldsAgain() {
    queue.reconfigure(List.of(), 4, 3, 1, 0);
    Taker t = new Taker();
    t.take(queue, 2);
    IllegalStateException failed = new IllegalStateException("failed to start");
    queue.refuse(failed);
    assertThat(t.errors).containsExactly(failed, failed);
    assertThat(queue.queued()).isZero();
    StepVerifier.create(queue.acquire()).expectErrorMatches(e -> e == failed).verify();

    queue.refuse(null);
    Taker later = new Taker();
    later.take(queue, 1);
    assertThat(later.errors).isEmpty();
    assertThat(queue.queued()).as("held again").isEqualTo(1);
  }

  @Test
  void aRefusingQueueStillUsesAFreeSlot() {
    queue.reconfigure(List.of(instance("a", State.READY)), 1, 3, 1, 0);
    queue.refuse(new IllegalStateException("failed"));
    Taker t = new Taker();
    t.take(queue, 2);
    assertThat(t.leases).hasSize(1);
    assertThat(t.errors).hasSize(1);
  }

  @Test
  void aLeaseSaysWhetherAndHowLongItsRequestWaited() {
    queue.reconfigure(List.of(instance("a", State.READY)), 1, 3, 1, 0);
    Taker first = new Taker();
    first.take(queue, 1);
    nanos.set(1_000);
    Taker second = new Taker();
    second.take(queue, 1);
    nanos.set(251_000_000);
    first.leases.get(0).release();
    assertThat(first.leases.get(0).held()).isFalse();
    assertThat(first.leases.get(0).waitedNanos()).isZero();
    assertThat(second.leases.get(0).held()).isTrue();
    assertThat(second.leases.get(0).waitedNanos()).isEqualTo(250_999_000);
  }
}
