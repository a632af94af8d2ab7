package io.zeroscale.activator.reconcile;

import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Instance counts of one deployment, and its instances (the autoscaler's billing-aware scale-down
 * needs when each started holding GPUs): what {@code zs:live} says of it.
 *
 * @param desired target replicas after clamping
 * @param pending waiting for GPUs
 * @param starting booting
 * @param ready serving
 * @param draining finishing their requests (or stopping)
 * @param instances every tracked instance
 */
public record LiveCounts(
    int desired, int pending, int starting, int ready, int draining, List<LiveInstance> instances) {

  public LiveCounts {
    instances = List.copyOf(instances);
  }

  /**
   * One instance.
   *
   * @param id instance id
   * @param phase its phase
   * @param scheduledAt when it started holding GPUs (its paid first hour began), null while pending
   * @param revision the deployment revision it runs (during a rollout the autoscaler tells the
   *     instances being replaced from their replacements)
   * @param gpu the GPU type it holds, or null
   * @param inFlight requests on it as its engine last reported them, or null when not known
   */
  public record LiveInstance(
      String id, Phase phase, Instant scheduledAt, int revision, String gpu, Integer inFlight) {

    /** An instance whose load is not known. */
    public LiveInstance(String id, Phase phase, Instant scheduledAt, int revision) {
      this(id, phase, scheduledAt, revision, null, null);
    }
  }

  /** The same counts, with each instance's load from {@code inFlight} (by instance id). */
  public LiveCounts withInFlight(java.util.function.Function<String, Integer> inFlight) {
    List<LiveInstance> list = new ArrayList<>();
    for (LiveInstance i : instances) {
      list.add(
          new LiveInstance(
              i.id(), i.phase(), i.scheduledAt(), i.revision(), i.gpu(), inFlight.apply(i.id())));
    }
    return new LiveCounts(desired, pending, starting, ready, draining, list);
  }

  /**
   * The counts of {@code instances}; {@code target} is what the last pass decided, or null before
   * any decision (then the active instances count as desired).
   */
  public static LiveCounts of(Integer target, List<InstanceView> instances) {
    int pending = 0;
    int starting = 0;
    int ready = 0;
    int draining = 0;
    List<LiveInstance> list = new ArrayList<>();
    for (InstanceView i : instances) {
      list.add(new LiveInstance(i.id(), i.phase(), i.scheduledAt(), i.revision(), i.gpu(), null));
      switch (i.phase()) {
        case PENDING -> pending++;
        case STARTING -> starting++;
        case READY -> ready++;
        default -> draining++;
      }
    }
    return new LiveCounts(
        target == null ? pending + starting + ready : target,
        pending,
        starting,
        ready,
        draining,
        list);
  }
}
