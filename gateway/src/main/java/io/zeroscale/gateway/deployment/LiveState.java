package io.zeroscale.gateway.deployment;

import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.redis.LiveEntry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What is running for a deployment right now, as the tenant API shows it.
 *
 * @param desired replicas the autoscaler (or a wake-up) asks for
 * @param starting instances booting
 * @param ready instances serving
 * @param draining instances finishing their requests before they stop
 * @param queueDepth requests held by the gateways, waiting for a slot
 * @param autoscaler the autoscaler's latest decision, or null when it has made none
 * @param revisions the instances of each revision they run (0: not known, an older activator), as
 *     counted from the activator's instance list; empty without one
 */
public record LiveState(
    int desired,
    int starting,
    int ready,
    int draining,
    long queueDepth,
    AutoscalerView autoscaler,
    Map<Integer, RevisionCounts> revisions) {

  public static final LiveState NONE = new LiveState(0, 0, 0, 0, 0);

  public LiveState {
    revisions = Map.copyOf(revisions == null ? Map.of() : revisions);
  }

  public LiveState(int desired, int starting, int ready, int draining, long queueDepth) {
    this(desired, starting, ready, draining, queueDepth, null);
  }

  public LiveState(
      int desired,
      int starting,
      int ready,
      int draining,
      long queueDepth,
      AutoscalerView autoscaler) {
    this(desired, starting, ready, draining, queueDepth, autoscaler, Map.of());
  }

  /**
   * One revision's instances, counted as the totals are: pending and starting as {@code starting};
   * instances asked to stop are not counted.
   */
  public record RevisionCounts(int starting, int ready, int draining) {

    /** Whether any instance is counted. */
    public boolean any() {
      return starting + ready + draining > 0;
    }
  }

  /**
   * The instances of {@code list} by revision, in revision order. Worked case: two ready of
   * revision 1 and one starting of revision 2 → {@code {1: ready 2, 2: starting 1}}.
   */
  public static Map<Integer, RevisionCounts> byRevision(List<LiveEntry.Instance> list) {
    Map<Integer, int[]> counts = new TreeMap<>();
    for (LiveEntry.Instance i : list == null ? List.<LiveEntry.Instance>of() : list) {
      int slot =
          switch (i.phase()) {
            case PENDING, STARTING -> 0;
            case READY -> 1;
            case DRAINING -> 2;
            case STOPPING -> -1;
          };
      if (slot >= 0) {
        counts.computeIfAbsent(i.revision(), r -> new int[3])[slot]++;
      }
    }
    Map<Integer, RevisionCounts> out = new TreeMap<>();
    counts.forEach((r, c) -> out.put(r, new RevisionCounts(c[0], c[1], c[2])));
    return out;
  }

  /**
   * The {@code rollout} object of the tenant API while instances of another revision than {@code
   * current} are counted: {@code {"from_revision":m,"to_revision":n,"instances":{"<rev>":{…}}}},
   * {@code from_revision} the highest other revision; null when every instance runs {@code
   * current}.
   */
  public Map<String, Object> rollout(int current) {
    int from = -1;
    for (Map.Entry<Integer, RevisionCounts> e : revisions.entrySet()) {
      if (e.getKey() != current && e.getValue().any()) {
        from = Math.max(from, e.getKey());
      }
    }
    if (from < 0) {
      return null;
    }
    Map<String, Object> instances = new LinkedHashMap<>();
    new TreeMap<>(revisions)
        .forEach(
            (r, c) -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("starting", c.starting());
              m.put("ready", c.ready());
              m.put("draining", c.draining());
              instances.put(String.valueOf(r), m);
            });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("from_revision", from);
    out.put("to_revision", current);
    out.put("instances", instances);
    return out;
  }

  /**
   * The autoscaler's latest decision ({@code zs:desired}) and the deployment's idle-but-paid time
   * ({@code zs:idle-paid}).
   *
   * @param desired replicas asked for
   * @param reason why, in words and numbers
   * @param at when it was decided (epoch ms)
   * @param mode {@code stable}, {@code panic}, or null (a wake-up)
   * @param idleButPaidS seconds of instance time kept only because it was prepaid (billing-aware
   *     scale-down), cumulative
   */
  public record AutoscalerView(
      int desired, String reason, long at, String mode, double idleButPaidS) {}

  /** Instances that hold GPUs: starting, ready or draining. */
  public int instances() {
    return starting + ready + draining;
  }

  /**
   * A deployment's status after a settings change, while no instance exists yet: raising
   * min_instances above zero wakes a deployment resting at zero ({@code pending}); lowering it to
   * zero lets a pending one rest. Every other status belongs to the activator and is kept.
   */
  public static DeploymentStatus afterSettingsChange(
      DeploymentStatus current, int newMinInstances, LiveState live) {
    boolean idle = live.desired() == 0 && live.instances() == 0;
    if (current == DeploymentStatus.SCALED_TO_ZERO && newMinInstances > 0) {
      return DeploymentStatus.PENDING;
    }
    if (current == DeploymentStatus.PENDING && newMinInstances == 0 && idle) {
      return DeploymentStatus.SCALED_TO_ZERO;
    }
    return current;
  }
}
