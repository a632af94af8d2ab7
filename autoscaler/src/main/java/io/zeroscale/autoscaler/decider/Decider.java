package io.zeroscale.autoscaler.decider;

import io.zeroscale.api.scaling.StopOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SPEC §6 in the image of Knative's KPA decider, as a pure function of (policy, state, observation)
 * → (decision, next state).
 *
 * <ol>
 *   <li><b>Demand</b> = queued + in-flight over the gateways (or the engines' own running + waiting
 *       when larger), sampled every tick; averaged over the stable window (60 s) and the panic
 *       window (6 s).
 *   <li><b>Stable mode</b>: replicas = ⌈stable demand ÷ (max_batch_size × target_utilization)⌉;
 *       e.g. 12.4 ÷ (8 × 0.7) = 2.2 → 3. Scaling down waits until demand is {@code
 *       scaleDownTolerance} (10%) below the lower level, so an average hovering at a threshold does
 *       not flap: with 5.6 per instance, 2 → 1 only below 5.04.
 *   <li><b>Panic mode</b> when panic-window demand ≥ 2 × the fleet's target capacity (booting
 *       instances count, at least one): replicas = ⌈panic demand ÷ per-instance⌉ at once, never
 *       lower than anything asked during the panic; it ends one stable window after demand was last
 *       over the threshold.
 *   <li>Rate limits: at most {@code maxScaleUpRate} × and at least ÷ {@code maxScaleDownRate} the
 *       current instances per decision.
 *   <li>A decider that has not yet watched a full stable window never scales down (a new leader
 *       with a half-empty window holds what the previous one asked for).
 *   <li><b>Scale to zero</b> only once no request was seen for {@code scale_to_zero_after_s}; until
 *       then one instance stays.
 *   <li>Clamp to [min_instances, min(max_instances, quota)].
 *   <li><b>Billing-aware</b>: instances still inside their paid first hour are kept (unless
 *       disabled); the instances to stop are the cheapest: pending, then those with no prepaid time
 *       left, then booting, then ready ones by least prepaid time left (the activator's order).
 * </ol>
 */
public final class Decider {

  private Decider() {}

  /** A decision and the state for the next tick. */
  public record Result(Decision decision, DeciderState state) {}

  public static Result decide(ScalingPolicy p, DeciderState s, Observation o) {
    Instant now = o.now();
    double demand = Math.max(0, o.demand());

    // Samples of the last stable window, this one included.
    Instant stableFrom = now.minus(p.stableWindow());
    List<DeciderState.Sample> samples = new ArrayList<>();
    for (DeciderState.Sample x : s.samples()) {
      if (x.at().isAfter(stableFrom) && x.at().isBefore(now)) {
        samples.add(x);
      }
    }
    samples.add(new DeciderState.Sample(now, demand));
    Instant observedSince = s.observedSince() == null ? now : s.observedSince();

    Instant lastActive = s.lastActive();
    if (lastActive == null) {
      // First look: the previous leader's figure, else "now" (the countdown starts afresh).
      lastActive = o.lastActiveHint() != null ? o.lastActiveHint() : now;
    }
    if (demand > 0) {
      lastActive = now;
    }
    if (o.wokenAt() != null && o.wokenAt().isAfter(lastActive)) {
      lastActive = o.wokenAt();
    }

    double per = p.perInstance();
    Duration panicWindow = min(p.panicWindow(), p.stableWindow());
    double stable = average(samples, stableFrom);
    double panic = average(samples, now.minus(panicWindow));
    int active = o.instances().size();
    int current = o.currentDesired() >= 0 ? o.currentDesired() : active;
    int base = Math.max(1, active);
    int stableWant = ceil(stable / per);
    int panicWant = ceil(panic / per);
    double panicCapacity = base * per;
    boolean over = panic > 0 && panic >= p.panicThreshold() * panicCapacity;

    Instant panicSince = s.panicSince();
    if (over) {
      panicSince = now;
    } else if (panicSince != null && !now.isBefore(panicSince.plus(p.stableWindow()))) {
      panicSince = null;
    }
    boolean panicking = panicSince != null;

    int want;
    StringBuilder why = new StringBuilder();
    if (panicking) {
      want = Math.max(panicWant, Math.max(current, s.panicReplicas()));
      demandOver(why, "panic", panic, panicWindow);
      if (over) {
        why.append(" ≥ ")
            .append(fmt(p.panicThreshold()))
            .append("× capacity ")
            .append(fmt(panicCapacity))
            .append(" (")
            .append(base)
            .append(" × ")
            .append(p.maxBatchSize())
            .append(" × ")
            .append(fmt(p.targetUtilization()))
            .append(")");
      } else {
        why.append(", no scale-down until ")
            .append(secs(p.stableWindow()))
            .append(" below ")
            .append(fmt(p.panicThreshold()))
            .append("× capacity");
      }
    } else {
      demandOver(why, "stable", stable, p.stableWindow());
      why.append(" ÷ (")
          .append(p.maxBatchSize())
          .append(" × ")
          .append(fmt(p.targetUtilization()))
          .append(") → ")
          .append(stableWant);
      if (stableWant >= current) {
        want = stableWant;
      } else {
        // Hysteresis: the lower level must be comfortably enough (2 → 1 at 5.6 per instance and
        // 10% tolerance: only below 5.04).
        int down = ceil(stable / (per * (1 - p.scaleDownTolerance())));
        want = Math.min(current, down);
        if (want > stableWant) {
          why.append(", keeping ")
              .append(want)
              .append(" (within the ")
              .append(fmt(p.scaleDownTolerance() * 100))
              .append("% scale-down tolerance)");
        }
      }
    }

    if (want < current && observedSince.isAfter(now.minus(p.stableWindow()))) {
      want = current;
      why.append(", keeping ")
          .append(current)
          .append(" (warming up: ")
          .append(secs(Duration.between(observedSince, now)))
          .append(" of the ")
          .append(secs(p.stableWindow()))
          .append(" window observed)");
    }

    if (want == 0 && (current > 0 || active > 0)) {
      Duration idle = Duration.between(lastActive, now);
      if (idle.compareTo(p.scaleToZeroAfter()) < 0) {
        want = 1;
        why.append(", keeping 1: idle ")
            .append(secs(idle))
            .append(" of ")
            .append(secs(p.scaleToZeroAfter()))
            .append(" before scale to zero");
      } else {
        why.append(", scale to zero: no request for ").append(secs(idle));
      }
    }

    int cap = p.cap();
    if (want > cap) {
      want = cap;
      why.append(", capped at ")
          .append(cap)
          .append(cap == p.maxInstances() ? " (max_instances)" : " (tenant quota)");
    }
    if (want < p.minInstances()) {
      want = p.minInstances();
      why.append(", raised to min_instances ").append(want);
    }

    int held = 0;
    if (p.billingAware() && want < active) {
      int prepaid = 0;
      for (Instance i : o.instances()) {
        if (i.prepaidLeft(now, p.paidPeriod()).isPositive()) {
          prepaid++;
        }
      }
      int keep = Math.min(cap, Math.max(want, prepaid));
      held = keep - want;
      if (held > 0) {
        want = keep;
        why.append(", keeping ").append(held).append(" idle in their paid first hour");
      }
    }

    // Rate limits last (as Knative), then the bounds again: a lowered max_instances wins.
    int maxUp = (int) Math.ceil(p.maxScaleUpRate() * base);
    int maxDown = (int) Math.floor(active / p.maxScaleDownRate());
    if (want > maxUp) {
      want = maxUp;
      why.append(", at most ").append(maxUp).append(" (scale-up rate)");
    }
    if (want < maxDown) {
      want = maxDown;
      why.append(", at least ").append(maxDown).append(" (scale-down rate)");
    }

    if (want > cap) {
      want = cap;
    }
    if (want < p.minInstances()) {
      want = p.minInstances();
    }

    List<String> victims = victims(o.instances(), active - want, now, p.paidPeriod());
    why.append(" ⇒ ").append(want);
    if (!victims.isEmpty()) {
      why.append(" (stop ").append(String.join(", ", victims)).append(")");
    }

    DeciderState next =
        new DeciderState(
            samples, observedSince, lastActive, panicSince, panicking ? Math.max(want, 0) : 0);
    Decision d =
        new Decision(
            want,
            why.toString(),
            panicking ? "panic" : "stable",
            demand,
            stable,
            panic,
            active,
            held,
            victims);
    return new Result(d, next);
  }

  /**
   * The {@code count} cheapest instances to stop: pending ones hold nothing; then those with no
   * prepaid time left (each second of theirs is billed); then booting ones (they serve nothing);
   * then ready ones, least prepaid time left first. Ties keep the given order.
   */
  public static List<String> victims(
      List<Instance> instances, int count, Instant now, Duration paidPeriod) {
    if (count <= 0) {
      return List.of();
    }
    List<Instance> sorted =
        StopOrder.cheapestFirst(instances, Decider::stage, Instance::scheduledAt, now, paidPeriod);
    List<String> out = new ArrayList<>();
    for (Instance i : sorted.subList(0, Math.min(count, sorted.size()))) {
      out.add(i.id());
    }
    return out;
  }

  private static StopOrder.Stage stage(Instance i) {
    return switch (i.phase()) {
      case PENDING -> StopOrder.Stage.PENDING;
      case STARTING -> StopOrder.Stage.STARTING;
      case READY -> StopOrder.Stage.READY;
    };
  }

  private static double average(List<DeciderState.Sample> samples, Instant after) {
    double sum = 0;
    int n = 0;
    for (DeciderState.Sample x : samples) {
      if (x.at().isAfter(after)) {
        sum += x.demand();
        n++;
      }
    }
    return n == 0 ? 0 : sum / n;
  }

  /** ⌈x⌉ with a little slack for floating point (3 × 5.6 = 16.799999… must give 3, not 4). */
  private static int ceil(double x) {
    return (int) Math.ceil(x - 1e-9);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** {@code "<mode>: demand <x> over <window>"}, how every reason starts. */
  private static void demandOver(StringBuilder why, String mode, double demand, Duration window) {
    why.append(mode).append(": demand ").append(fmt(demand)).append(" over ").append(secs(window));
  }

  private static String fmt(double x) {
    return String.format(Locale.ROOT, "%.1f", x);
  }

  private static String secs(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
  }
}
