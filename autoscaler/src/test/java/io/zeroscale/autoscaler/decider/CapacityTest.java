package io.zeroscale.autoscaler.decider;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.scaling.StopOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Capacity during a rollout from revision 1 to 2, as a table: (instances, target) → ids. */
class CapacityTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  record Case(String name, List<Capacity.Live> live, int target, List<String> want) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Capacity.Live live(String id, Instance.Phase phase, int revision, int minutesAgo) {
    return new Capacity.Live(
        new Instance(id, phase, NOW.minus(Duration.ofMinutes(minutesAgo))), revision);
  }

  static Stream<Case> cases() {
    Instance.Phase ready = Instance.Phase.READY;
    Instance.Phase starting = Instance.Phase.STARTING;
    return Stream.of(
        new Case(
            "no rollout: every instance",
            List.of(live("a", ready, 2, 10), live("b", starting, 2, 1)),
            2,
            List.of("a", "b")),
        new Case(
            "an activator that does not say the revision: every instance",
            List.of(live("a", ready, 0, 10), live("b", ready, 0, 50)),
            1,
            List.of("a", "b")),
        new Case(
            "surge: the booting new one and the old one that stays, not the one that drains next",
            List.of(live("a", ready, 1, 10), live("b", ready, 1, 50), live("n", starting, 2, 1)),
            2,
            List.of("n", "a")),
        new Case(
            "half way: both new ones and no old one",
            List.of(live("a", ready, 1, 10), live("n1", ready, 2, 5), live("n2", starting, 2, 1)),
            2,
            List.of("n1", "n2")),
        new Case(
            "surge 0: an old one drains (not listed), its replacement boots: both count",
            List.of(live("a", ready, 1, 10), live("n", starting, 2, 1)),
            2,
            List.of("n", "a")),
        new Case(
            "old instances that do not serve are being stopped: no capacity",
            List.of(live("a", ready, 1, 10), live("s", starting, 1, 1)),
            2,
            List.of("a")),
        new Case(
            "a failed revision: the old ones serving are the capacity",
            List.of(live("a", ready, 1, 10), live("b", ready, 1, 50)),
            2,
            List.of("b", "a")),
        new Case(
            "scale-up during a rollout: the new ones and the old ones up to the target",
            List.of(
                live("a", ready, 1, 10),
                live("b", ready, 1, 50),
                live("n1", starting, 2, 1),
                live("n2", starting, 2, 1)),
            3,
            List.of("n1", "n2", "a")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void counts(Case c) {
    assertThat(Capacity.of(c.live(), 2, c.target(), NOW, StopOrder.PAID_PERIOD))
        .extracting(Instance::id)
        .containsExactlyElementsOf(c.want());
  }

  @org.junit.jupiter.api.Test
  void theSurgeInstanceIsNoReasonToScaleUpWhenBillingAwareHoldsPrepaidInstances() {
    List<Capacity.Live> live =
        List.of(
            live("a", Instance.Phase.READY, 1, 10),
            live("b", Instance.Phase.READY, 1, 50),
            live("n", Instance.Phase.STARTING, 2, 1));
    ScalingPolicy p = DeciderTest.policy(DeciderTest.PolicyBuilder::billing);
    DeciderState watched = new DeciderState(List.of(), NOW.minusSeconds(3600), NOW, null, 0);
    // 8 requests ÷ 5.6 per instance: 2 replicas, what the activator already aims at.
    List<Instance> counted = Capacity.of(live, 2, 2, NOW, StopOrder.PAID_PERIOD);
    Decision d =
        Decider.decide(p, watched, new Observation(NOW, 8, -1, 2, null, null, counted)).decision();
    assertThat(d.replicas()).isEqualTo(2);
    assertThat(d.billingHeld()).isZero();

    // Counting every instance, the surge one would be held as "idle in its paid first hour".
    List<Instance> all = live.stream().map(Capacity.Live::instance).toList();
    Decision naive =
        Decider.decide(p, watched, new Observation(NOW, 8, -1, 2, null, null, all)).decision();
    assertThat(naive.replicas()).isEqualTo(3);
  }
}
