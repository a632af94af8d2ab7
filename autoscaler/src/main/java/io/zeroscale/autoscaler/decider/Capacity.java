package io.zeroscale.autoscaler.decider;

import io.zeroscale.api.scaling.StopOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of a deployment's instances count as capacity while a rollout replaces them. The activator
 * boots instances of the new revision above its target (the surge) and drains the old ones only as
 * new ones become ready, so during a rollout it runs more instances than replicas were asked for.
 * Counting them all would read as capacity the deployment does not have, and worse, make the
 * billing-aware rule keep the surge instance as an "idle instance in its paid first hour" (target
 * 2, 2 old ready + 1 new booting: 3 instances, all prepaid, kept as 3 replicas: a scale-up caused
 * by the rollout itself). So: every instance of the new revision that serves or boots counts, and
 * the old ones that serve count until there are as many as the activator's target (2 old ready + 1
 * new booting, target 2: the new one and one old one; the activator drains the cheapest old one
 * first, so that one is left out). Decisions so target the newest revision, and ready instances of
 * both revisions are capacity.
 */
public final class Capacity {

  private Capacity() {}

  /**
   * One instance as the activator publishes it.
   *
   * @param instance the instance (pending, starting or ready)
   * @param revision the deployment revision it runs; 0 (an activator that does not say) counts as
   *     the current one
   */
  public record Live(Instance instance, int revision) {}

  /**
   * The instances that count as capacity.
   *
   * @param live the deployment's instances that are not draining
   * @param revision the revision the deployment runs now
   * @param target the replicas the activator aims at
   * @param now for the activator's stop order (which old instance drains first)
   * @param paidPeriod the billing period of that order
   */
  public static List<Instance> of(
      List<Live> live, int revision, int target, Instant now, Duration paidPeriod) {
    List<Instance> fresh = new ArrayList<>();
    List<Instance> old = new ArrayList<>();
    for (Live l : live) {
      if (l.revision() == 0 || l.revision() == revision) {
        fresh.add(l.instance());
      } else if (l.instance().phase() == Instance.Phase.READY) {
        // Old instances that do not serve are being stopped: they are nobody's capacity.
        old.add(l.instance());
      }
    }
    if (old.isEmpty()) {
      return fresh;
    }
    int oldKept = Math.max(0, Math.min(old.size(), Math.max(target, fresh.size()) - fresh.size()));
    List<Instance> cheapest =
        StopOrder.cheapestFirst(
            old, i -> StopOrder.Stage.READY, Instance::scheduledAt, now, paidPeriod);
    List<Instance> out = new ArrayList<>(fresh);
    out.addAll(cheapest.subList(cheapest.size() - oldKept, cheapest.size()));
    return out;
  }
}
