package io.zeroscale.activator.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Where instances run: local processes or Kubernetes pods. The activator decides what should run; a
 * runtime only starts, lists and stops. Every method is non-blocking (blocking work runs on the
 * runtime's own scheduler) and idempotent, so that the activator can retry after any failure.
 */
public interface InstanceRuntime {

  /** A short name for logs and metrics: {@code process}, {@code kubernetes}. */
  String name();

  /**
   * Starts an instance. Errors when it cannot be started at all (bad command, image or API error):
   * the activator counts that as a boot failure. Launching an id that already runs is a no-op.
   */
  Mono<Launch> launch(InstancePlan plan);

  /**
   * Every instance this runtime runs for Zeroscale, including those started by an earlier activator
   * (adoption after a restart or a leader change). An exited instance is listed until {@link #stop}
   * is called for it.
   */
  Mono<List<RuntimeInstance>> list();

  /**
   * Stops an instance: asks it to stop (SIGTERM, pod delete with {@code grace}), then forces it
   * after {@code grace}; completes when it is gone and forgotten. Unknown ids complete at once.
   */
  Mono<Void> stop(String instanceId, Duration grace);

  /**
   * Frees what the runtime keeps for a deployment beyond its instances (the Kubernetes runtime's
   * per-deployment tenant-token Secret), once the deployment is deleted and none of its instances
   * is left. Idempotent: releasing an unknown or already released deployment completes at once. The
   * process runtime keeps nothing per deployment.
   */
  default Mono<Void> release(String deploymentId) {
    return Mono.empty();
  }

  /**
   * Frees what the runtime keeps for every deployment not in {@code liveDeploymentIds}, as {@link
   * #release} would: the garbage collection of deployments the activator never saw {@code deleting}
   * (the control plane finalizes the deletion of a deployment without instances at once). The
   * caller must pass the full set read from the store, never a set left empty by a failed read:
   * every deployment outside it loses what the runtime keeps for it. The process runtime keeps
   * nothing per deployment.
   */
  default Mono<Void> retainOnly(Set<String> liveDeploymentIds) {
    return Mono.empty();
  }

  /**
   * The last {@code lines} lines of an instance's log (stdout and stderr), oldest first, reading at
   * most {@code maxBytes} of it; empty when the runtime knows no such instance of {@code
   * deploymentId}. Raw: callers redact before showing them to anyone.
   */
  default Mono<List<String>> logs(String deploymentId, String instanceId, int lines, int maxBytes) {
    return Mono.error(new UnsupportedOperationException(name() + " runtime keeps no logs"));
  }
}
