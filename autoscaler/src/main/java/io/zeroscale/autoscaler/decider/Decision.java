package io.zeroscale.autoscaler.decider;

import java.util.List;

/**
 * One tick's decision for a deployment.
 *
 * @param replicas desired replicas, within [min, cap]
 * @param reason why, in words and numbers ({@code panic: demand 57.0 ≥ 2× capacity 16.8 …})
 * @param mode {@code stable} or {@code panic}
 * @param demand this tick's demand
 * @param stableDemand demand averaged over the stable window
 * @param panicDemand demand averaged over the panic window
 * @param active instances counted as capacity
 * @param billingHeld instances kept only because they are inside their paid first hour
 * @param victims the instances expected to stop, cheapest first (the activator's own order)
 */
public record Decision(
    int replicas,
    String reason,
    String mode,
    double demand,
    double stableDemand,
    double panicDemand,
    int active,
    int billingHeld,
    List<String> victims) {

  public Decision {
    victims = List.copyOf(victims);
  }
}
