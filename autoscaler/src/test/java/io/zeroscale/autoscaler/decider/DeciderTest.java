package io.zeroscale.autoscaler.decider;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.autoscaler.decider.Instance.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven: each row runs the decider tick by tick (1 s, fake clock) against a simulated
 * activator that follows its decisions (instances boot in {@code bootS} seconds, victims go at
 * once) and checks the replicas at given seconds.
 */
class DeciderTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** batch 8 × 0.7 = 5.6 per instance; 60 s stable, 6 s panic, 300 s to zero, max 10. */
  static ScalingPolicy policy(UnaryOperator<PolicyBuilder> f) {
    return f.apply(new PolicyBuilder()).build();
  }

  static final class PolicyBuilder {
    int batch = 8;
    int min = 0;
    int max = 10;
    int quota = Integer.MAX_VALUE;
    boolean billing = false;
    Duration stable = Duration.ofSeconds(60);
    Duration toZero = Duration.ofSeconds(300);

    PolicyBuilder min(int v) {
      min = v;
      return this;
    }

    PolicyBuilder max(int v) {
      max = v;
      return this;
    }

    PolicyBuilder quota(int v) {
      quota = v;
      return this;
    }

    PolicyBuilder billing() {
      billing = true;
      return this;
    }

    ScalingPolicy build() {
      return new ScalingPolicy(
          batch,
          0.7,
          stable,
          Duration.ofSeconds(6),
          2.0,
          toZero,
          min,
          max,
          quota,
          billing,
          1000,
          2,
          0.1,
          Duration.ofHours(1));
    }
  }

  /** The activator, simplified: follows desired replicas, boots in bootS, stops victims at once. */
  static final class Fleet {
    final ScalingPolicy policy;
    final int bootS;
    final List<Instance> instances = new ArrayList<>();
    DeciderState state = DeciderState.EMPTY;
    int desired;
    int launches;
    int changes;
    Decision last;
    int seq;

    Fleet(ScalingPolicy policy, int bootS, int initial, Duration age) {
      this.policy = policy;
      this.bootS = bootS;
      this.desired = initial;
      for (int i = 0; i < initial; i++) {
        instances.add(new Instance("i" + seq++, Phase.READY, T0.minus(age)));
      }
    }

    /** Runs the minute before T0 with the row's demand, so the window is full at T0. */
    Fleet warm(DoubleUnaryOperator demand) {
      for (int t = -60; t < 0; t++) {
        tick(T0.plusSeconds(t), demand.applyAsDouble(t));
      }
      changes = 0;
      return this;
    }

    void tick(Instant now, double demand) {
      // Instances finish booting.
      instances.replaceAll(
          i ->
              i.phase() == Phase.STARTING && !now.isBefore(i.scheduledAt().plusSeconds(bootS))
                  ? new Instance(i.id(), Phase.READY, i.scheduledAt())
                  : i);
      Decider.Result r =
          Decider.decide(
              policy,
              state,
              new Observation(now, demand, -1, desired, null, null, List.copyOf(instances)));
      state = r.state();
      last = r.decision();
      if (last.replicas() != desired) {
        changes++;
      }
      desired = last.replicas();
      for (String v : last.victims()) {
        instances.removeIf(i -> i.id().equals(v));
      }
      while (instances.size() < desired) {
        launches++;
        instances.add(new Instance("i" + seq++, bootS == 0 ? Phase.READY : Phase.STARTING, now));
      }
    }
  }

  /**
   * At second {@code at}, replicas must be {@code replicas} (and the reason contain {@code why}).
   */
  record Check(int at, int replicas, String why) {}

  static Check at(int s, int replicas) {
    return new Check(s, replicas, "");
  }

  static Check at(int s, int replicas, String why) {
    return new Check(s, replicas, why);
  }

  /**
   * @param initial ready instances at t=0, scheduled {@code age} ago
   * @param demand demand at second t
   * @param maxChanges how many times replicas may change over the run (-1: any)
   */
  record Row(
      String name,
      ScalingPolicy policy,
      int initial,
      Duration age,
      int bootS,
      DoubleUnaryOperator demand,
      int maxChanges,
      List<Check> checks) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Row row(
      String name,
      ScalingPolicy policy,
      int initial,
      DoubleUnaryOperator demand,
      int maxChanges,
      Check... checks) {
    return new Row(
        name, policy, initial, Duration.ofHours(2), 0, demand, maxChanges, List.of(checks));
  }

  static Stream<Row> rows() {
    ScalingPolicy plain = policy(b -> b);
    return Stream.of(
        row(
            "steady state: 8 concurrent on 8 × 0.7 = 5.6 per instance keeps 2",
            plain,
            2,
            t -> 8,
            0,
            at(30, 2, "stable: demand 8.0"),
            at(300, 2)),
        row(
            "ramp 0 → 30 over 30 s settles at ⌈30 / 5.6⌉ = 6",
            plain,
            1,
            t -> Math.min(t, 30),
            -1,
            at(200, 6),
            at(600, 6)),
        row(
            "burst: 57 at once panics and scales up at once, never down while panicking",
            policy(b -> b.max(12)),
            1,
            t -> t >= 10 && t < 20 ? 57 : 0,
            -1,
            at(10, 1, "stable"),
            at(11, 4, "panic: demand 19.0 over 6s ≥ 2.0× capacity 5.6 (1 × 8 × 0.7)"),
            at(16, 11),
            at(40, 11, "panic: demand 0.0 over 6s, no scale-down until 60s below"),
            at(70, 11),
            at(78, 1, "stable"),
            at(200, 1, "before scale to zero"),
            at(319, 0, "scale to zero: no request for 300s"),
            at(330, 0)),
        row(
            "scale to zero exactly scale_to_zero_after_s after the last request",
            plain,
            1,
            t -> t < 10 ? 3 : 0,
            -1,
            at(308, 1, "keeping 1: idle 299s of 300s"),
            at(309, 0, "scale to zero: no request for 300s"),
            at(400, 0)),
        row(
            "min_instances is a floor, also at zero demand",
            policy(b -> b.min(2)),
            2,
            t -> 0,
            0,
            at(400, 2, "raised to min_instances 2")),
        row(
            "max_instances caps",
            policy(b -> b.max(3)),
            1,
            t -> 100,
            1,
            at(1, 3, "capped at 3 (max_instances)"),
            at(120, 3)),
        row(
            "the tenant quota caps below max_instances",
            policy(b -> b.max(5).quota(2)),
            1,
            t -> 100,
            1,
            at(1, 2, "capped at 2 (tenant quota)"),
            at(120, 2)),
        row(
            "flapping: demand crossing 5.6 every 10 s (5 ↔ 7) keeps 2",
            plain,
            2,
            t -> ((long) t / 10) % 2 == 0 ? 5 : 7,
            0,
            at(100, 2),
            at(600, 2)),
        row(
            "flapping: an average hovering at the 1 ↔ 2 threshold (5.4 ↔ 5.8) keeps 2",
            plain,
            2,
            t -> ((long) t / 30) % 2 == 0 ? 5.4 : 5.8,
            0,
            at(600, 2)),
        row(
            "demand falling well below the level scales down after the window",
            plain,
            3,
            t -> t < 60 ? 15 : 4,
            2,
            at(60, 3),
            at(125, 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void replicasFollowTheRules(Row row) {
    Fleet fleet = new Fleet(row.policy(), row.bootS(), row.initial(), row.age()).warm(row.demand());
    int end = row.checks().stream().mapToInt(Check::at).max().orElse(0);
    List<Check> checks = new ArrayList<>(row.checks());
    for (int t = 0; t <= end; t++) {
      fleet.tick(T0.plusSeconds(t), row.demand().applyAsDouble(t));
      for (Check c : checks) {
        if (c.at() == t) {
          assertThat(fleet.desired)
              .as("%s at %ds: %s", row.name(), t, fleet.last.reason())
              .isEqualTo(c.replicas());
          assertThat(fleet.last.reason()).as("at %ds", t).contains(c.why());
        }
      }
    }
    if (row.maxChanges() >= 0) {
      assertThat(fleet.changes).as("replica changes").isLessThanOrEqualTo(row.maxChanges());
    }
  }

  @org.junit.jupiter.api.Test
  void bootingInstancesAreCapacityDuringASlowColdStart() {
    // 20 concurrent needs ⌈20 / 5.6⌉ = 4; the instances take 30 s to boot while the queue stays.
    Fleet fleet = new Fleet(policy(b -> b), 30, 0, Duration.ZERO);
    fleet.desired = 0;
    for (int t = 0; t <= 90; t++) {
      fleet.tick(T0.plusSeconds(t), 20);
      if (t == 5) {
        assertThat(fleet.last.active()).isEqualTo(4);
        assertThat(fleet.instances).allMatch(i -> i.phase() == Phase.STARTING);
      }
    }
    assertThat(fleet.desired).isEqualTo(4);
    assertThat(fleet.launches).as("no double boots").isEqualTo(4);
  }

  @org.junit.jupiter.api.Test
  void billingAwareHoldsIdleInstancesUntilTheirPaidHourEnds() {
    // Three instances scheduled 10 minutes ago: their first hour ends 50 minutes from now.
    Fleet fleet = new Fleet(policy(PolicyBuilder::billing), 0, 3, Duration.ofMinutes(10));
    for (int t = 0; t <= 3010; t++) {
      fleet.tick(T0.plusSeconds(t), 0);

      if (t == 1200) {
        assertThat(fleet.desired).isEqualTo(3);
        assertThat(fleet.last.billingHeld()).isEqualTo(3);
        assertThat(fleet.last.reason()).contains("keeping 3 idle in their paid first hour");
      }
      if (t == 2999) {
        assertThat(fleet.desired).isEqualTo(3);
      }
    }
    assertThat(fleet.desired).isZero();
    assertThat(fleet.last.billingHeld()).isZero();
  }

  @org.junit.jupiter.api.Test
  void billingAwareStopsOnlyWhatHasNoPrepaidTimeLeft() {
    Instant now = T0;
    List<Instance> fleet =
        List.of(
            new Instance("young", Phase.READY, now.minus(Duration.ofMinutes(10))),
            new Instance("past", Phase.READY, now.minus(Duration.ofMinutes(70))),
            new Instance("half", Phase.READY, now.minus(Duration.ofMinutes(40))));
    Decision d = decideOnce(policy(PolicyBuilder::billing), 0, 3, fleet);
    assertThat(d.replicas()).isEqualTo(2);
    assertThat(d.billingHeld()).as("1 kept anyway until scale to zero, 1 for billing").isEqualTo(1);
    assertThat(d.victims()).containsExactly("past");

    Decision off = decideOnce(policy(b -> b), 0, 3, fleet);
    assertThat(off.replicas()).as("scale-down rate: 3 / 2").isEqualTo(1);
    assertThat(off.victims()).containsExactly("past", "half");
  }

  @org.junit.jupiter.api.Test
  void victimsAreTheCheapestFirst() {
    Instant now = T0;
    List<Instance> fleet =
        List.of(
            new Instance("ready-10m-left", Phase.READY, now.minus(Duration.ofMinutes(50))),
            new Instance("ready-50m-left", Phase.READY, now.minus(Duration.ofMinutes(10))),
            new Instance("booting", Phase.STARTING, now.minusSeconds(5)),
            new Instance("ready-past-hour", Phase.READY, now.minus(Duration.ofMinutes(90))),
            new Instance("pending", Phase.PENDING, null));
    assertThat(Decider.victims(fleet, 4, now, Duration.ofHours(1)))
        .containsExactly("pending", "ready-past-hour", "booting", "ready-10m-left");
  }

  @org.junit.jupiter.api.Test
  void aNewLeaderDoesNotScaleDownOnAHalfEmptyWindow() {
    ScalingPolicy p = policy(b -> b);
    List<Instance> three =
        List.of(
            new Instance("a", Phase.READY, T0.minus(Duration.ofHours(2))),
            new Instance("b", Phase.READY, T0.minus(Duration.ofHours(2))),
            new Instance("c", Phase.READY, T0.minus(Duration.ofHours(2))));
    DeciderState s = DeciderState.EMPTY;
    for (int t = 0; t < 60; t++) {
      Decider.Result r =
          Decider.decide(p, s, new Observation(T0.plusSeconds(t), 0, -1, 3, null, null, three));
      s = r.state();
      assertThat(r.decision().replicas()).as("at %ds", t).isEqualTo(3);
      assertThat(r.decision().reason()).contains("warming up");
    }
    Decider.Result after =
        Decider.decide(p, s, new Observation(T0.plusSeconds(60), 0, -1, 3, null, null, three));
    assertThat(after.decision().replicas()).isEqualTo(1);
  }

  @org.junit.jupiter.api.Test
  void aNewLeaderResumesTheScaleToZeroCountdownAndHonoursAWakeUp() {
    ScalingPolicy p = policy(b -> b);
    List<Instance> one = List.of(new Instance("a", Phase.READY, T0.minus(Duration.ofHours(2))));
    DeciderState watched = new DeciderState(List.of(), T0.minusSeconds(3600), null, null, 0);
    // The previous leader saw the last request 299 s ago: one more second, then zero.
    Decider.Result r =
        Decider.decide(p, watched, new Observation(T0, 0, -1, 1, null, T0.minusSeconds(299), one));
    assertThat(r.decision().replicas()).isEqualTo(1);
    r = Decider.decide(p, r.state(), new Observation(T0.plusSeconds(1), 0, -1, 1, null, null, one));
    assertThat(r.decision().replicas()).isZero();
    // A wake-up counts as a request: the instance it started is kept.
    r =
        Decider.decide(
            p,
            r.state(),
            new Observation(T0.plusSeconds(2), 0, -1, 1, T0.plusSeconds(2), null, one));
    assertThat(r.decision().replicas()).isEqualTo(1);
  }

  @org.junit.jupiter.api.Test
  void theEnginesOwnFiguresCountWhenClientsBypassTheGateway() {
    ScalingPolicy p = policy(b -> b);
    DeciderState watched = new DeciderState(List.of(), T0.minusSeconds(3600), null, null, 0);
    List<Instance> one = List.of(new Instance("a", Phase.READY, T0.minus(Duration.ofHours(2))));
    // The gateways see 2, the engine runs 8 + 3 waiting: the larger signal counts (11 / 5.6).
    Decider.Result r = Decider.decide(p, watched, new Observation(T0, 2, 11, 1, null, null, one));
    assertThat(r.decision().demand()).isEqualTo(11);
    assertThat(r.decision().replicas()).isEqualTo(2);
  }

  @org.junit.jupiter.api.Test
  void aSettingsChangeAppliesAtTheNextTick() {
    List<Instance> three =
        List.of(
            new Instance("a", Phase.READY, T0.minus(Duration.ofHours(2))),
            new Instance("b", Phase.READY, T0.minus(Duration.ofHours(2))),
            new Instance("c", Phase.READY, T0.minus(Duration.ofHours(2))));
    Decision d = decideOnce(policy(b -> b.max(1)), 50, 3, three);
    assertThat(d.replicas()).isEqualTo(1);
    assertThat(d.victims()).hasSize(2);
  }

  private static Decision decideOnce(
      ScalingPolicy p, double demand, int current, List<Instance> instances) {
    DeciderState watched = new DeciderState(List.of(), T0.minusSeconds(3600), T0, null, 0);
    return Decider.decide(
            p, watched, new Observation(T0, demand, -1, current, null, null, instances))
        .decision();
  }
}
