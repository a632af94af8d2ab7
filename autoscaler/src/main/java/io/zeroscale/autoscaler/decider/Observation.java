package io.zeroscale.autoscaler.decider;

import java.time.Instant;
import java.util.List;

/**
 * What one tick sees of a deployment.
 *
 * @param now the tick's time
 * @param gatewayDemand queued + in-flight requests summed over the live gateways
 * @param engineDemand {@code vllm:num_requests_running + waiting} summed over the ready instances,
 *     or a negative number when not scraped; the decider takes the larger of the two signals
 * @param currentDesired the replicas asked for now ({@code zs:desired}), or -1 when nothing is
 * @param wokenAt when a gateway's wake-up last raised desired replicas, or null
 * @param lastActiveHint when the previous leader last saw a request, or null (a new leader resumes
 *     the scale-to-zero countdown from it)
 * @param instances instances that count as capacity (pending, starting, ready; not draining)
 */
public record Observation(
    Instant now,
    double gatewayDemand,
    double engineDemand,
    int currentDesired,
    Instant wokenAt,
    Instant lastActiveHint,
    List<Instance> instances) {

  public Observation {
    instances = List.copyOf(instances);
  }

  /** The demand the decider uses: both signals count the same requests, so the larger wins. */
  public double demand() {
    return Math.max(gatewayDemand, engineDemand);
  }
}
