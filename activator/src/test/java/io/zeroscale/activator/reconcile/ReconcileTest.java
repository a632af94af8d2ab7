package io.zeroscale.activator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The decider as a table: (inputs, now) → decision. */
class ReconcileTest {

  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

  /** One row: a name, the inputs and the whole expected decision. */
  record Case(String name, Reconcile.Input in, Reconcile.Decision want) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Inputs with defaults (min 0, max 3, limit 3, nothing failed), changed one field at a time. */
  private record In(
      int min,
      int max,
      boolean deleting,
      int desired,
      List<InstanceView> instances,
      int failures,
      String failedReason,
      Instant nextLaunchAt,
      String capacityReason) {

    static In of(int desired, InstanceView... instances) {
      return new In(0, 3, false, desired, List.of(instances), 0, null, null, null);
    }

    In min(int v) {
      return new In(
          v,
          max,
          deleting,
          desired,
          instances,
          failures,
          failedReason,
          nextLaunchAt,
          capacityReason);
    }

    In max(int v) {
      return new In(
          min,
          v,
          deleting,
          desired,
          instances,
          failures,
          failedReason,
          nextLaunchAt,
          capacityReason);
    }

    In beingDeleted() {
      return new In(
          min, max, true, desired, instances, failures, failedReason, nextLaunchAt, capacityReason);
    }

    In failed(int count, String reason) {
      return new In(
          min, max, deleting, desired, instances, count, reason, nextLaunchAt, capacityReason);
    }

    In nextLaunchAt(Instant v) {
      return new In(
          min, max, deleting, desired, instances, failures, failedReason, v, capacityReason);
    }

    In capacity(String v) {
      return new In(
          min, max, deleting, desired, instances, failures, failedReason, nextLaunchAt, v);
    }

    Reconcile.Input input() {
      return new Reconcile.Input(
          min,
          max,
          deleting,
          desired,
          instances,
          failures,
          3,
          failedReason,
          nextLaunchAt,
          capacityReason,
          NOW);
    }
  }

  private static Reconcile.Decision want(
      int target,
      int launch,
      List<String> drain,
      List<String> stop,
      DeploymentStatus status,
      String why) {
    return new Reconcile.Decision(target, launch, drain, stop, status, why);
  }

  private static InstanceView pending(String id) {
    return new InstanceView(id, Phase.PENDING, NOW.minusSeconds(5), null);
  }

  private static InstanceView starting(String id) {
    return new InstanceView(id, Phase.STARTING, NOW.minusSeconds(5), NOW.minusSeconds(5));
  }

  /** Ready, scheduled {@code ago} before now (its prepaid first hour started then). */
  private static InstanceView ready(String id, Duration ago) {
    return new InstanceView(id, Phase.READY, NOW.minus(ago), NOW.minus(ago));
  }

  private static InstanceView in(String id, Phase phase) {
    return new InstanceView(id, phase, NOW.minusSeconds(5), NOW.minusSeconds(60));
  }

  private static Case row(String name, In in, Reconcile.Decision want) {
    return new Case(name, in.input(), want);
  }

  static Stream<Case> cases() {
    Duration m10 = Duration.ofMinutes(10);
    Duration m50 = Duration.ofMinutes(50);
    Duration m55 = Duration.ofMinutes(55);
    Duration m90 = Duration.ofMinutes(90);
    return Stream.of(
        row(
            "nothing asked: scaled to zero",
            In.of(0),
            want(0, 0, List.of(), List.of(), DeploymentStatus.SCALED_TO_ZERO, null)),
        row(
            "wake-up from zero launches one",
            In.of(1),
            want(1, 1, List.of(), List.of(), DeploymentStatus.DEPLOYING, null)),
        row(
            "min_instances is a floor",
            In.of(0).min(2),
            want(2, 2, List.of(), List.of(), DeploymentStatus.DEPLOYING, null)),
        row(
            "max_instances is a cap",
            In.of(10).max(3),
            want(3, 3, List.of(), List.of(), DeploymentStatus.DEPLOYING, null)),
        row(
            "booting instances are capacity: no double launch",
            In.of(2, pending("p"), starting("s")),
            want(2, 0, List.of(), List.of(), DeploymentStatus.DEPLOYING, null)),
        row(
            "one more booting instance when one is missing",
            In.of(2, starting("s")),
            want(2, 1, List.of(), List.of(), DeploymentStatus.DEPLOYING, null)),
        row(
            "a draining instance is no capacity",
            In.of(1, in("d", Phase.DRAINING)),
            want(1, 1, List.of(), List.of(), DeploymentStatus.DEPLOYING, null)),
        row(
            "scale down stops pending first",
            In.of(2, ready("r", m10), starting("s"), pending("p")),
            want(2, 0, List.of(), List.of("p"), DeploymentStatus.RUNNING, null)),
        row(
            "then starting",
            In.of(1, ready("r", m10), starting("s"), pending("p")),
            want(1, 0, List.of(), List.of("p", "s"), DeploymentStatus.RUNNING, null)),
        row(
            "then the ready one with the least prepaid time left",
            In.of(1, ready("young", m10), ready("old", m50)),
            want(1, 0, List.of("old"), List.of(), DeploymentStatus.RUNNING, null)),
        row(
            "ready instances past their first hour go first",
            In.of(1, ready("young", m10), ready("past", m90), ready("almost", m55)),
            want(1, 0, List.of("past", "almost"), List.of(), DeploymentStatus.RUNNING, null)),
        row(
            "a ready instance past its first hour goes before a booting one (no prepaid waste)",
            In.of(2, ready("past", m90), starting("s"), ready("young", m10)),
            want(2, 0, List.of("past"), List.of(), DeploymentStatus.RUNNING, null)),
        row(
            "ready victims drain, booting ones stop",
            In.of(0, ready("r", m10), starting("s")),
            want(0, 0, List.of("r"), List.of("s"), DeploymentStatus.RUNNING, null)),
        row(
            "backoff blocks a launch until nextLaunchAt",
            In.of(1).failed(1, "exit 1").nextLaunchAt(NOW.plusMillis(1)),
            want(1, 0, List.of(), List.of(), DeploymentStatus.DEPLOYING, null)),
        row(
            "a launch goes at nextLaunchAt",
            In.of(1).failed(1, "exit 1").nextLaunchAt(NOW),
            want(1, 1, List.of(), List.of(), DeploymentStatus.DEPLOYING, null)),
        row(
            "failures below the limit keep deploying",
            In.of(1).failed(2, "exit 1"),
            want(1, 1, List.of(), List.of(), DeploymentStatus.DEPLOYING, null)),
        row(
            "failures at the limit: failed with the reason, target 0",
            In.of(1, starting("s")).failed(3, "exit 1"),
            want(0, 0, List.of(), List.of("s"), DeploymentStatus.FAILED, "exit 1")),
        row(
            "failures at the limit while one serves: still running, not failed",
            In.of(2, ready("r", m10)).failed(3, "exit 1"),
            want(2, 1, List.of(), List.of(), DeploymentStatus.RUNNING, null)),
        row(
            "after a failure, one probe launch at a time even when three are missing",
            In.of(3).failed(1, "exit 1"),
            want(3, 1, List.of(), List.of(), DeploymentStatus.DEPLOYING, null)),
        row(
            "no GPUs: pending with the reason",
            In.of(1, pending("p")).capacity("insufficient GPU capacity"),
            want(
                1, 0, List.of(), List.of(), DeploymentStatus.PENDING, "insufficient GPU capacity")),
        row(
            "a capacity reason with a booting instance is deploying",
            In.of(1, starting("s")).capacity("insufficient GPU capacity"),
            want(1, 0, List.of(), List.of(), DeploymentStatus.DEPLOYING, null)),
        row(
            "deleting drains and stops everything, status untouched",
            In.of(2, ready("r", m10), starting("s"), pending("p")).min(1).beingDeleted(),
            want(0, 0, List.of("r"), List.of("p", "s"), null, null)),
        row(
            "only draining instances: status kept",
            In.of(0, in("d", Phase.DRAINING), in("x", Phase.STOPPING)),
            want(0, 0, List.of(), List.of(), null, null)),
        row(
            "one ready: running",
            In.of(1, ready("r", m10)),
            want(1, 0, List.of(), List.of(), DeploymentStatus.RUNNING, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(Case c) {
    assertThat(Reconcile.decide(c.in())).isEqualTo(c.want());
  }

  @Test
  void prepaidLeftIsTheRestOfTheFirstHourAndNeverNegative() {
    assertThat(Reconcile.prepaidLeft(ready("r", Duration.ofMinutes(40)), NOW))
        .isEqualTo(Duration.ofMinutes(20));
    assertThat(Reconcile.prepaidLeft(ready("r", Duration.ofMinutes(61)), NOW))
        .isEqualTo(Duration.ZERO);
    assertThat(Reconcile.prepaidLeft(pending("p"), NOW)).isEqualTo(Duration.ZERO);
  }
}
