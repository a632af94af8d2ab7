package io.zeroscale.activator.reconcile;

import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.redis.LiveEntry.Phase;
import io.zeroscale.api.scaling.StopOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The activator's decision for one deployment, as a pure function of (spec, desired, instances,
 * failure state, now): how many instances to launch, which to drain, which to stop, and what status
 * the deployment shows. No I/O, no clock of its own: tested with tables.
 */
public final class Reconcile {

  private Reconcile() {}

  /**
   * The inputs.
   *
   * @param minInstances the deployment's floor
   * @param maxInstances its ceiling
   * @param deleting the deployment is being deleted: everything drains
   * @param desired replicas asked for (autoscaler or wake-up); clamped to [min, max]
   * @param instances what is tracked now
   * @param failures consecutive boot failures
   * @param failureLimit failures after which the deployment is {@code failed}
   * @param failedReason the reason of the last boot failure, or null
   * @param nextLaunchAt no launch before this instant (backoff after a boot failure), or null
   * @param capacityReason why the last launch found no GPUs, or null
   * @param now the decision's time
   */
  public record Input(
      int minInstances,
      int maxInstances,
      boolean deleting,
      int desired,
      List<InstanceView> instances,
      int failures,
      int failureLimit,
      String failedReason,
      Instant nextLaunchAt,
      String capacityReason,
      Instant now) {}

  /**
   * The decision.
   *
   * @param target replicas after clamping (what {@code instances.desired} shows)
   * @param launch new instances to start now
   * @param drain ready instances to drain (they finish what they have, then stop)
   * @param stop pending or booting instances to stop at once (they serve nothing)
   * @param status the deployment's status ({@code null}: leave it, e.g. deleting)
   * @param reason why, for {@code failed} and capacity-{@code pending}, else null
   */
  public record Decision(
      int target,
      int launch,
      List<String> drain,
      List<String> stop,
      DeploymentStatus status,
      String reason) {}

  public static Decision decide(Input in) {
    List<InstanceView> active = new ArrayList<>();
    int ready = 0;
    int draining = 0;
    boolean pending = false;
    for (InstanceView i : in.instances()) {
      if (i.phase().active()) {
        active.add(i);
      }
      ready += i.phase() == Phase.READY ? 1 : 0;
      draining += i.phase() == Phase.DRAINING || i.phase() == Phase.STOPPING ? 1 : 0;
      pending |= i.phase() == Phase.PENDING;
    }
    // Failed only while nothing serves: extra replicas that cannot boot must not take down the
    // ones that run (they keep retrying, one at a time, with backoff).
    boolean failed = in.failures() >= in.failureLimit() && ready == 0;
    int target =
        in.deleting() || failed
            ? 0
            : Math.max(in.minInstances(), Math.min(in.desired(), in.maxInstances()));
    int launch = 0;
    List<String> drain = new ArrayList<>();
    List<String> stop = new ArrayList<>();
    if (active.size() < target) {
      boolean backingOff = in.nextLaunchAt() != null && in.now().isBefore(in.nextLaunchAt());
      // After a failure, one probe launch at a time: with a bad image and a target of 3, three
      // parallel boots would use up the whole failure budget in one backoff step.
      launch = backingOff ? 0 : in.failures() > 0 ? 1 : target - active.size();
    } else if (active.size() > target) {
      // Cheapest first (SPEC §6: stop what wastes the least prepaid time): pending ones hold
      // nothing; then those past their first hour (every second of theirs is billed); then booting
      // ones (they serve nothing); then the ready one whose prepaid first hour has the least left.
      // The autoscaler's decider predicts victims with the same order.
      List<InstanceView> cheapest =
          StopOrder.cheapestFirst(
              active, Reconcile::stage, InstanceView::scheduledAt, in.now(), StopOrder.PAID_PERIOD);
      for (InstanceView victim : cheapest.subList(0, active.size() - target)) {
        (victim.phase() == Phase.READY ? drain : stop).add(victim.id());
      }
    }
    DeploymentStatus status;
    String reason = null;
    if (in.deleting()) {
      status = null;
    } else if (failed) {
      status = DeploymentStatus.FAILED;
      reason = in.failedReason();
    } else if (ready > 0) {
      status = DeploymentStatus.RUNNING;
    } else if (target > 0 && pending && in.capacityReason() != null) {
      status = DeploymentStatus.PENDING;
      reason = in.capacityReason();
    } else if (target > 0) {
      status = DeploymentStatus.DEPLOYING;
    } else if (draining > 0 || !active.isEmpty()) {
      status = null;
    } else {
      status = DeploymentStatus.SCALED_TO_ZERO;
    }
    return new Decision(target, launch, List.copyOf(drain), List.copyOf(stop), status, reason);
  }

  private static StopOrder.Stage stage(InstanceView i) {
    return switch (i.phase()) {
      case PENDING -> StopOrder.Stage.PENDING;
      case STARTING -> StopOrder.Stage.STARTING;
      default -> StopOrder.Stage.READY;
    };
  }

  /** Paid time left in the instance's first hour (zero past it, or when it never held GPUs). */
  static Duration prepaidLeft(InstanceView i, Instant now) {
    return StopOrder.prepaidLeft(i.scheduledAt(), now);
  }
}
