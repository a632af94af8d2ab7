package io.zeroscale.activator.core;

import io.zeroscale.api.DeploymentStatus;
import reactor.core.publisher.Mono;

/**
 * Port: the control plane's record of a deployment's status. The activator owns the transitions
 * between {@code pending}, {@code deploying}, {@code running}, {@code scaled_to_zero} and {@code
 * failed}; a deployment being deleted is finalized once its last instance is gone.
 */
public interface DeploymentStatusPort {

  /** Records the status and its reason (null clears it) if they changed; a deleting one is kept. */
  Mono<Void> report(String deploymentId, DeploymentStatus status, String reason);

  /** A deleting deployment has no instance left: make it {@code deleted}. */
  Mono<Void> finalizeDeleted(String deploymentId);

  /**
   * A rollout ended: every active instance runs {@code revision} (succeeded; the revision becomes
   * {@code active} and the one it replaced {@code superseded}), or the revision's instances failed
   * to boot (the revision becomes {@code failed} and the deployment returns to its last active
   * revision, with {@code reason} saying why). Idempotent: the activator may say it again.
   */
  Mono<Void> rolloutEnded(String deploymentId, int revision, boolean succeeded, String reason);
}
