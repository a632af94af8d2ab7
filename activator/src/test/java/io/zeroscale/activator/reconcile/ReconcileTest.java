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

  /**
   * Inputs with defaults (min 0, max 3, revision 1 with surge 1, limit 3, nothing failed), changed
   * one field at a time.
   */
  private record In(
      int min,
      int max,
      boolean deleting,
      int desired,
      Reconcile.Revision revision,
      List<InstanceView> instances,
      int failures,
      String failedReason,
      Instant nextLaunchAt,
      String capacityReason) {

    static In of(int desired, InstanceView... instances) {
      return new In(
          0, 3, false, desired, Reconcile.Revision.FIRST, List.of(instances), 0, null, null, null);
    }

    In min(int v) {
      return new In(
          v,
          max,
          deleting,
          desired,
          revision,
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
          revision,
          instances,
          failures,
          failedReason,
          nextLaunchAt,
          capacityReason);
    }

    In beingDeleted() {
      return new In(
          min,
          max,
          true,
          desired,
          revision,
          instances,
          failures,
          failedReason,
          nextLaunchAt,
          capacityReason);
    }

    /** The spec's revision is {@code number} on {@code gpu}, with {@code surge}. */
    In revision(int number, String gpu, int surge) {
      return new In(
          min,
          max,
          deleting,
          desired,
          new Reconcile.Revision(number, gpu, surge),
          instances,
          failures,
          failedReason,
          nextLaunchAt,
          capacityReason);
    }

    In failed(int count, String reason) {
      return new In(
          min,
          max,
          deleting,
          desired,
          revision,
          instances,
          count,
          reason,
          nextLaunchAt,
          capacityReason);
    }

    In nextLaunchAt(Instant v) {
      return new In(
          min,
          max,
          deleting,
          desired,
          revision,
          instances,
          failures,
          failedReason,
          v,
          capacityReason);
    }

    In capacity(String v) {
      return new In(
          min,
          max,
          deleting,
          desired,
          revision,
          instances,
          failures,
          failedReason,
          nextLaunchAt,
          v);
    }

    Reconcile.Input input() {
      return new Reconcile.Input(
          min,
          max,
          deleting,
          desired,
          revision,
          instances,
          failures,
          3,
          failedReason,
          nextLaunchAt,
          capacityReason,
          NOW);
    }
  }

  /** A decision of a deployment whose instances all run its revision. */
  private static Reconcile.Decision want(
      int target,
      int launch,
      List<String> drain,
      List<String> stop,
      DeploymentStatus status,
      String why) {
    return new Reconcile.Decision(target, launch, drain, stop, status, why, Reconcile.Rollout.DONE);
  }

  private static Reconcile.Decision want(
      int target,
      int launch,
      List<String> drain,
      List<String> stop,
      DeploymentStatus status,
      String why,
      Reconcile.Rollout rollout) {
    return new Reconcile.Decision(target, launch, drain, stop, status, why, rollout);
  }

  /** An instance of revision 1 (the old one in the rollout rows) on A100s. */
  private static InstanceView old(String id, Phase phase, Duration ago) {
    return old(id, phase, ago, "A100-80GB");
  }

  private static InstanceView old(String id, Phase phase, Duration ago, String gpu) {
    return new InstanceView(
        id, phase, NOW.minus(ago), phase == Phase.PENDING ? null : NOW.minus(ago), 1, gpu);
  }

  /** An instance of revision 2 (the new one in the rollout rows) on H100s. */
  private static InstanceView fresh(String id, Phase phase, Duration ago) {
    return new InstanceView(
        id, phase, NOW.minus(ago), phase == Phase.PENDING ? null : NOW.minus(ago), 2, "H100");
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
            want(0, 0, List.of("r"), List.of("p", "s"), null, null, null)),
        row(
            "only draining instances: status kept",
            In.of(0, in("d", Phase.DRAINING), in("x", Phase.STOPPING)),
            want(0, 0, List.of(), List.of(), null, null)),
        row(
            "one ready: running",
            In.of(1, ready("r", m10)),
            want(1, 0, List.of(), List.of(), DeploymentStatus.RUNNING, null)));
  }

  /**
   * Rollouts from revision 1 (A100s) to revision 2 (H100s): "old"/"new" instances, target 2 unless
   * a row says otherwise.
   */
  static Stream<Case> rollouts() {
    Duration m10 = Duration.ofMinutes(10);
    Duration m50 = Duration.ofMinutes(50);
    Duration s5 = Duration.ofSeconds(5);
    Reconcile.Rollout rolling = Reconcile.Rollout.ROLLING;
    Reconcile.Rollout done = Reconcile.Rollout.DONE;
    DeploymentStatus running = DeploymentStatus.RUNNING;
    return Stream.of(
        row(
            "surge 1: one new instance boots while both old ones serve",
            In.of(2, old("a", Phase.READY, m10), old("b", Phase.READY, m50)).revision(2, "H100", 1),
            want(2, 1, List.of(), List.of(), running, null, rolling)),
        row(
            "surge 1: while the new one boots, nothing drains and nothing more boots",
            In.of(
                    2,
                    old("a", Phase.READY, m10),
                    old("b", Phase.READY, m50),
                    fresh("n1", Phase.STARTING, s5))
                .revision(2, "H100", 1),
            want(2, 0, List.of(), List.of(), running, null, rolling)),
        row(
            "a new one is ready: the old one with the least prepaid time drains, the next boots",
            In.of(
                    2,
                    old("a", Phase.READY, m10),
                    old("b", Phase.READY, m50),
                    fresh("n1", Phase.READY, s5))
                .revision(2, "H100", 1),
            want(2, 1, List.of("b"), List.of(), running, null, rolling)),
        row(
            "both new ones ready: the last old one drains",
            In.of(
                    2,
                    old("a", Phase.READY, m10),
                    fresh("n1", Phase.READY, s5),
                    fresh("n2", Phase.READY, s5))
                .revision(2, "H100", 1),
            want(2, 0, List.of("a"), List.of(), running, null, rolling)),
        row(
            "an old one still draining: the rollout is not over",
            In.of(
                    2,
                    old("a", Phase.DRAINING, s5),
                    fresh("n1", Phase.READY, s5),
                    fresh("n2", Phase.READY, s5))
                .revision(2, "H100", 1),
            want(2, 0, List.of(), List.of(), running, null, rolling)),
        row(
            "only new ones left: done",
            In.of(2, fresh("n1", Phase.READY, s5), fresh("n2", Phase.READY, s5))
                .revision(2, "H100", 1),
            want(2, 0, List.of(), List.of(), running, null, done)),
        row(
            "an instance of unknown revision (0) counts as the current revision",
            In.of(1, ready("r", m10)).revision(2, "H100", 1),
            want(1, 0, List.of(), List.of(), running, null, done)),
        row(
            "old instances that serve nothing stop at once; new ones boot up to target + surge",
            In.of(
                    2,
                    old("a", Phase.READY, m10),
                    old("s", Phase.STARTING, s5),
                    old("p", Phase.PENDING, s5))
                .revision(2, "H100", 1),
            want(2, 2, List.of(), List.of("s", "p"), running, null, rolling)),
        row(
            "surge 0: one old one drains first and its replacement boots (the gateway holds the gap)",
            In.of(2, old("a", Phase.READY, m10), old("b", Phase.READY, m50)).revision(2, "H100", 0),
            want(2, 1, List.of("b"), List.of(), running, null, rolling)),
        row(
            "surge 0: while the replacement boots, no other old one drains",
            In.of(
                    2,
                    old("a", Phase.READY, m10),
                    old("b", Phase.DRAINING, s5),
                    fresh("n1", Phase.STARTING, s5))
                .revision(2, "H100", 0),
            want(2, 0, List.of(), List.of(), running, null, rolling)),
        row(
            "surge 0: the replacement is ready, the old one still drains: wait for it",
            In.of(
                    2,
                    old("a", Phase.READY, m10),
                    old("b", Phase.DRAINING, s5),
                    fresh("n1", Phase.READY, s5))
                .revision(2, "H100", 0),
            want(2, 0, List.of(), List.of(), running, null, rolling)),
        row(
            "surge 0: the first old one is gone: the next one drains and is replaced",
            In.of(2, old("a", Phase.READY, m10), fresh("n1", Phase.READY, s5))
                .revision(2, "H100", 0),
            want(2, 1, List.of("a"), List.of(), running, null, rolling)),
        row(
            "no GPUs for the new one: an old one on the same GPU type drains to free them",
            In.of(
                    2,
                    old("a", Phase.READY, m10, "H100"),
                    old("b", Phase.READY, m50, "H100"),
                    fresh("n1", Phase.PENDING, s5))
                .revision(2, "H100", 1)
                .capacity("no free H100"),
            want(2, 0, List.of("b"), List.of(), running, null, rolling)),
        row(
            "no GPUs of the new type: old ones of another type keep serving",
            In.of(
                    2,
                    old("a", Phase.READY, m10),
                    old("b", Phase.READY, m50),
                    fresh("n1", Phase.PENDING, s5))
                .revision(2, "H100", 1)
                .capacity("no free H100"),
            want(2, 0, List.of(), List.of(), running, null, rolling)),
        row(
            "no GPUs while an old one drains already: nothing more drains (the next new one is"
                + " asked for: the draining one is no capacity)",
            In.of(
                    2,
                    old("a", Phase.READY, m10, "H100"),
                    old("b", Phase.DRAINING, s5, "H100"),
                    fresh("n1", Phase.PENDING, s5))
                .revision(2, "H100", 1)
                .capacity("no free H100"),
            want(2, 1, List.of(), List.of(), running, null, rolling)),
        row(
            "a failing revision: nothing more boots, the old ones keep serving, rollout failed",
            In.of(2, old("a", Phase.READY, m10), old("b", Phase.READY, m50))
                .revision(2, "H100", 1)
                .failed(3, "exit 1"),
            want(2, 0, List.of(), List.of(), running, null, Reconcile.Rollout.FAILED)),
        row(
            "a failing revision with surge 0 drains nothing either",
            In.of(2, old("a", Phase.READY, m10), old("b", Phase.READY, m50))
                .revision(2, "H100", 0)
                .failed(3, "exit 1"),
            want(2, 0, List.of(), List.of(), running, null, Reconcile.Rollout.FAILED)),
        row(
            "failures below the limit: the rollout goes on, one probe launch at a time",
            In.of(2, old("a", Phase.READY, m10), old("b", Phase.READY, m50))
                .revision(2, "H100", 1)
                .failed(2, "exit 1"),
            want(2, 1, List.of(), List.of(), running, null, rolling)),
        row(
            "a failing revision with nothing else left: failed as any deployment",
            In.of(1, fresh("n1", Phase.STARTING, s5)).revision(2, "H100", 1).failed(3, "exit 1"),
            want(0, 0, List.of(), List.of("n1"), DeploymentStatus.FAILED, "exit 1", done)),
        row(
            "at zero: the rollout is done at once",
            In.of(0).revision(2, "H100", 1),
            want(0, 0, List.of(), List.of(), DeploymentStatus.SCALED_TO_ZERO, null, done)),
        row(
            "woken at zero after a rollout: the new revision boots",
            In.of(1).revision(2, "H100", 1),
            want(1, 1, List.of(), List.of(), DeploymentStatus.DEPLOYING, null, done)),
        row(
            "scaled to zero mid-rollout: everything drains",
            In.of(0, old("a", Phase.READY, m10), fresh("n1", Phase.READY, s5))
                .revision(2, "H100", 1),
            want(0, 0, List.of("n1", "a"), List.of(), running, null, rolling)),
        row(
            "scale up during a rollout: new ones boot within target + surge",
            In.of(
                    4,
                    old("a", Phase.READY, m10),
                    old("b", Phase.READY, m50),
                    fresh("n1", Phase.STARTING, s5))
                .max(4)
                .revision(2, "H100", 1),
            want(4, 2, List.of(), List.of(), running, null, rolling)),
        row(
            "scale down during a rollout: old ones drain, the new one stays",
            In.of(
                    1,
                    old("a", Phase.READY, m10),
                    old("b", Phase.READY, m50),
                    fresh("n1", Phase.STARTING, s5))
                .revision(2, "H100", 1),
            want(1, 0, List.of("b"), List.of(), running, null, rolling)),
        row(
            "deleting during a rollout drains and stops both revisions, nothing to report",
            In.of(
                    2,
                    old("a", Phase.READY, m10),
                    old("s", Phase.STARTING, s5),
                    fresh("n1", Phase.READY, s5),
                    fresh("p", Phase.PENDING, s5))
                .revision(2, "H100", 1)
                .beingDeleted(),
            want(0, 0, List.of("n1", "a"), List.of("s", "p"), null, null, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rollouts")
  void rollsOut(Case c) {
    assertThat(Reconcile.decide(c.in())).isEqualTo(c.want());
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
