package io.zeroscale.autoscaler.loop;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.autoscaler.decider.Instance;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/** Port: what the autoscaler loop reads and writes (Redis in production, a fake in tests). */
public interface ScalingStore {

  /** Takes or extends the leader lease for {@code id}; true when {@code id} leads. */
  Mono<Boolean> lease(String id, Duration ttl);

  /** Gives the lease up if {@code id} holds it. */
  Mono<Void> release(String id);

  /** Everything one tick needs, in a few round trips. */
  Mono<Snapshot> read();

  /** URLs of the ready instances of each deployment (only for the engine-metrics signal). */
  Mono<Map<String, List<String>>> readyUrls(Collection<String> deploymentIds);

  /**
   * Writes a deployment's desired entry unless it changed since it was read as {@code expected}
   * (null: there was none), so that a wake-up written in between is never overwritten; true when
   * written.
   */
  Mono<Boolean> writeDesired(String deploymentId, String expected, String text);

  /** Prepends a decision to the deployment's bounded history. */
  Mono<Void> pushEvent(String deploymentId, String text);

  /** Adds to the deployment's cumulative idle-but-paid seconds. */
  Mono<Void> addIdlePaid(String deploymentId, double seconds);

  /**
   * One tick's view.
   *
   * @param deployments live deployments by id
   * @param desired current desired entries by deployment id
   * @param instances per deployment, the instances that count as capacity (draining ones do not)
   * @param demand per deployment, queued + in-flight summed over live gateways
   */
  record Snapshot(
      Map<String, DeploymentSpec> deployments,
      Map<String, Desired> desired,
      Map<String, List<Instance>> instances,
      Map<String, Double> demand) {}

  /**
   * A {@code zs:desired} entry.
   *
   * @param text the raw JSON (for the compare-and-set)
   * @param replicas replicas asked for
   * @param reason why ({@code wake-up} when a gateway's wake-up raised it)
   * @param at when it was written
   * @param lastActive when the autoscaler that wrote it last saw a request, or null
   */
  record Desired(String text, int replicas, String reason, Instant at, Instant lastActive) {}
}
