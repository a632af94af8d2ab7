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
 * failure state, now): how many instances to launch, which to drain, which to stop, what status the
 * deployment shows and where its rollout stands. No I/O, no clock of its own: tested with tables.
 *
 * <p><b>Rollouts.</b> Instances launched for another revision than the spec's are "old". Old ones
 * that do not serve (pending, booting) are stopped at once: they would only delay the new revision.
 * Old ready ones serve until new ones can take their place: with target T, at most {@code T −
 * newReady} of them are kept (2 old ready, 1 new ready, T 2: one old drains), and new ones launch
 * within the surge, {@code min(T − newActive, T + surge − newActive − oldReady)} (T 2, surge 1, 2
 * old ready: one new boots; once it is ready an old one drains and the next new one boots). When
 * even one extra instance does not fit (surge 0: the tenant's quota leaves no room; or the new
 * instance waits for GPUs of the type the old ones hold), one old ready instance drains first and
 * the gateway holds the requests of the gap. A revision whose boots fail {@code failureLimit} times
 * while old instances serve launches nothing more: the old ones keep serving and the rollout is
 * {@link Rollout#FAILED} (the control plane then returns to the last good revision).
 */
public final class Reconcile {

  private Reconcile() {}

  /**
   * The revision the instances must run.
   *
   * @param number the spec's revision (1 for a new deployment)
   * @param gpu its GPU type
   * @param surge instances a rollout may boot above the target (negative counts as 0)
   */
  public record Revision(int number, String gpu, int surge) {

    /** Revision 1 with the default surge of one instance (tables of a single revision). */
    public static final Revision FIRST = new Revision(1, null, 1);
  }

  /**
   * The inputs.
   *
   * @param minInstances the deployment's floor
   * @param maxInstances its ceiling
   * @param deleting the deployment is being deleted: everything drains
   * @param desired replicas asked for (autoscaler or wake-up); clamped to [min, max]
   * @param revision the revision to run
   * @param instances what is tracked now, of every revision
   * @param failures consecutive boot failures of {@code revision}
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
      Revision revision,
      List<InstanceView> instances,
      int failures,
      int failureLimit,
      String failedReason,
      Instant nextLaunchAt,
      String capacityReason,
      Instant now) {}

  /** Where the rollout to the spec's revision stands. */
  public enum Rollout {
    /** Instances of another revision are still tracked (serving, draining or stopping). */
    ROLLING,
    /** Every tracked instance runs the revision (at zero: at once). */
    DONE,
    /** The revision's boots failed {@code failureLimit} times while old instances serve. */
    FAILED
  }

  /**
   * The decision.
   *
   * @param target replicas after clamping (what {@code instances.desired} shows)
   * @param launch new instances to start now
   * @param drain ready instances to drain (they finish what they have, then stop)
   * @param stop pending or booting instances to stop at once (they serve nothing)
   * @param status the deployment's status ({@code null}: leave it, e.g. deleting)
   * @param reason why, for {@code failed} and capacity-{@code pending}, else null
   * @param rollout where the rollout stands; null while the deployment is deleted (nothing to
   *     report)
   */
  public record Decision(
      int target,
      int launch,
      List<String> drain,
      List<String> stop,
      DeploymentStatus status,
      String reason,
      Rollout rollout) {}

  public static Decision decide(Input in) {
    int current = in.revision().number();
    List<InstanceView> fresh = new ArrayList<>();
    List<InstanceView> oldReady = new ArrayList<>();
    List<String> drain = new ArrayList<>();
    List<String> stop = new ArrayList<>();
    int ready = 0;
    int draining = 0;
    int newReady = 0;
    boolean newBooting = false;
    boolean newPending = false;
    boolean anyOld = false;
    boolean oldLeaving = false;
    for (InstanceView i : in.instances()) {
      Phase p = i.phase();
      ready += p == Phase.READY ? 1 : 0;
      draining += p == Phase.DRAINING || p == Phase.STOPPING ? 1 : 0;
      if (i.runs(current)) {
        if (p.active()) {
          fresh.add(i);
        }
        newReady += p == Phase.READY ? 1 : 0;
        newBooting |= p == Phase.PENDING || p == Phase.STARTING;
        newPending |= p == Phase.PENDING;
      } else {
        anyOld = true;
        switch (p) {
          case READY -> oldReady.add(i);
          // An old instance that serves nothing yet is no use: it would only delay the new one.
          case PENDING, STARTING -> stop.add(i.id());
          default -> oldLeaving = true;
        }
      }
    }
    boolean revisionFailed = in.failures() >= in.failureLimit();
    // A failing new revision while old instances serve: it launches nothing more and the old ones
    // stay (automatic rollback). Revision 1, or a revision that already replaced everything, keeps
    // the rules of a single revision (retry one at a time, failed once nothing serves).
    boolean rolloutFailed = revisionFailed && current > 1 && anyOld && !in.deleting();
    // Failed only while nothing serves: extra replicas that cannot boot must not take down the
    // ones that run (they keep retrying, one at a time, with backoff).
    boolean failed = revisionFailed && ready == 0;
    int target =
        in.deleting() || failed
            ? 0
            : Math.max(in.minInstances(), Math.min(in.desired(), in.maxInstances()));

    if (fresh.size() > target) {
      // Cheapest first (SPEC §6: stop what wastes the least prepaid time): pending ones hold
      // nothing; then those past their first hour (every second of theirs is billed); then booting
      // ones (they serve nothing); then the ready one whose prepaid first hour has the least left.
      // The autoscaler's decider predicts victims with the same order.
      for (InstanceView victim : cheapest(fresh, in.now()).subList(0, fresh.size() - target)) {
        (victim.phase() == Phase.READY ? drain : stop).add(victim.id());
      }
    }
    // Old ready instances serve until new ones are ready to take their place.
    List<InstanceView> oldLeft = new ArrayList<>(cheapest(oldReady, in.now()));
    int keepOld = Math.max(0, target - newReady);
    while (oldLeft.size() > keepOld) {
      drain.add(oldLeft.removeFirst().id());
      oldLeaving = true;
    }

    int launch = 0;
    int missing = Math.max(0, target - fresh.size());
    boolean backingOff = in.nextLaunchAt() != null && in.now().isBefore(in.nextLaunchAt());
    if (missing > 0 && !rolloutFailed) {
      int room = target + Math.max(0, in.revision().surge()) - fresh.size() - oldLeft.size();
      if (room <= 0 && !newBooting && !oldLeaving && !backingOff && !oldLeft.isEmpty()) {
        // No room for even one more (surge 0): replace one at a time; the gateway holds the gap.
        drain.add(oldLeft.removeFirst().id());
        oldLeaving = true;
        room++;
      }
      // After a failure, one probe launch at a time: with a bad image and a target of 3, three
      // parallel boots would use up the whole failure budget in one backoff step.
      launch = backingOff ? 0 : Math.max(0, Math.min(missing, room));
      launch = in.failures() > 0 ? Math.min(launch, 1) : launch;
    }
    if (newPending && in.capacityReason() != null && !oldLeaving && !rolloutFailed) {
      // The new instance waits for GPUs that an old one holds: free them (same type only; an
      // instance of another type frees nothing the new one can use, and draining it would only
      // shrink what serves while the new type stays unavailable).
      oldLeft.stream()
          .filter(i -> i.gpu() != null && i.gpu().equals(in.revision().gpu()))
          .findFirst()
          .ifPresent(i -> drain.add(i.id()));
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
    } else if (target > 0 && newPending && in.capacityReason() != null) {
      status = DeploymentStatus.PENDING;
      reason = in.capacityReason();
    } else if (target > 0) {
      status = DeploymentStatus.DEPLOYING;
    } else if (draining > 0 || !fresh.isEmpty() || anyOld) {
      status = null;
    } else {
      status = DeploymentStatus.SCALED_TO_ZERO;
    }
    Rollout rollout =
        in.deleting()
            ? null
            : rolloutFailed ? Rollout.FAILED : anyOld ? Rollout.ROLLING : Rollout.DONE;
    return new Decision(
        target, launch, List.copyOf(drain), List.copyOf(stop), status, reason, rollout);
  }

  private static List<InstanceView> cheapest(List<InstanceView> instances, Instant now) {
    return StopOrder.cheapestFirst(
        instances, Reconcile::stage, InstanceView::scheduledAt, now, StopOrder.PAID_PERIOD);
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
