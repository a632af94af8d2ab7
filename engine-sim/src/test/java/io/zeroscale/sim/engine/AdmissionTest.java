package io.zeroscale.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;

class AdmissionTest {

  private final List<String> granted = new ArrayList<>();
  private final List<Admission.Slot> slots = new ArrayList<>();

  private Disposable request(Admission admission, String name) {
    return admission
        .acquire()
        .subscribe(
            slot -> {
              granted.add(name);
              slots.add(slot);
            },
            error -> granted.add(name + ":" + error.getClass().getSimpleName()));
  }

  @Test
  void admitsUpToTheLimitThenQueuesInArrivalOrder() {
    Admission admission = new Admission(2, 10);
    for (String name : List.of("a", "b", "c", "d", "e")) {
      request(admission, name);
    }
    assertThat(granted).containsExactly("a", "b");
    assertThat(admission.running()).isEqualTo(2);
    assertThat(admission.waiting()).isEqualTo(3);

    slots.get(1).release();
    assertThat(granted).containsExactly("a", "b", "c");
    slots.get(0).release();
    assertThat(granted).containsExactly("a", "b", "c", "d");
    assertThat(admission.running()).isEqualTo(2);
    assertThat(admission.waiting()).isEqualTo(1);
    assertThat(admission.maxRunningSeen()).isEqualTo(2);
  }

  @Test
  void aFullQueueRejectsAtOnce() {
    Admission admission = new Admission(1, 2);
    for (String name : List.of("a", "b", "c", "d")) {
      request(admission, name);
    }
    assertThat(granted).containsExactly("a", "d:QueueFullException");
    assertThat(admission.waiting()).isEqualTo(2);
  }

  @Test
  void zeroQueueLengthRejectsEverythingBeyondTheRunningLimit() {
    Admission admission = new Admission(1, 0);
    request(admission, "a");
    request(admission, "b");
    assertThat(granted).containsExactly("a", "b:QueueFullException");
  }

  @Test
  void cancellingAWaiterRemovesItFromTheQueue() {
    Admission admission = new Admission(1, 10);
    request(admission, "a");
    Disposable b = request(admission, "b");
    request(admission, "c");
    assertThat(admission.waiting()).isEqualTo(2);

    b.dispose();
    assertThat(admission.waiting()).isEqualTo(1);

    slots.getFirst().release();
    assertThat(granted).containsExactly("a", "c");
    assertThat(admission.running()).isEqualTo(1);
    assertThat(admission.waiting()).isZero();
  }

  @Test
  void releaseIsIdempotent() {
    Admission admission = new Admission(1, 10);
    request(admission, "a");
    request(admission, "b");
    request(admission, "c");
    Admission.Slot a = slots.getFirst();
    a.release();
    a.release();
    assertThat(granted).containsExactly("a", "b");
    assertThat(admission.running()).isEqualTo(1);
    assertThat(a.isReleased()).isTrue();
  }

  @Test
  void aGrantedButUndeliveredSlotIsHandedOnWhenTheRequestIsCancelled() {
    Admission admission = new Admission(1, 10);
    AtomicReference<Admission.Slot> first = new AtomicReference<>();
    admission.acquire().subscribe(first::set);
    // A subscriber that never requests: the grant is parked in the sink, not delivered.
    BaseSubscriber<Admission.Slot> lazy =
        new BaseSubscriber<>() {
          @Override
          protected void hookOnSubscribe(Subscription subscription) {
            // deliberately no request
          }
        };
    admission.acquire().subscribe(lazy);
    request(admission, "c");

    first.get().release();
    assertThat(admission.running()).isEqualTo(1);
    assertThat(granted).isEmpty();

    lazy.cancel();
    assertThat(granted).containsExactly("c");
    assertThat(admission.running()).isEqualTo(1);
    assertThat(admission.waiting()).isZero();
  }

  @Test
  void maxRunningSeenNeverExceedsTheLimitUnderChurn() {
    Admission admission = new Admission(3, 100);
    for (int i = 0; i < 50; i++) {
      request(admission, "r" + i);
    }
    for (int i = 0; i < 50; i++) {
      slots.get(i).release();
      assertThat(admission.running()).isLessThanOrEqualTo(3);
    }
    assertThat(granted).hasSize(50);
    assertThat(admission.maxRunningSeen()).isEqualTo(3);
    assertThat(admission.running()).isZero();
  }
}
