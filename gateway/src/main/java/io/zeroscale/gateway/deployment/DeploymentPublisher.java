package io.zeroscale.gateway.deployment;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.redis.DeploymentCredentials;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Port: tells the activator, autoscaler and gateways about deployment changes (Redis hash {@code
 * zs:deployments} + channel {@code zs:deployment-changed}, see {@link
 * io.zeroscale.api.RedisSchema}). A publication never goes back in version: one older than what the
 * hash holds is dropped.
 */
public interface DeploymentPublisher {

  /** Stores the spec under its id and publishes it, unless the same or a newer one is stored. */
  Mono<Void> changed(DeploymentSpec spec);

  /** Removes the id from the hash and publishes the spec (status {@code deleted}). */
  Mono<Void> removed(DeploymentSpec spec);

  /** The ids the hash holds now. */
  Mono<Set<String>> publishedIds();

  /** Removes ids from the hash without a publication (the sweeper's clean-up). */
  Mono<Void> forget(Collection<String> ids);

  /**
   * Stores what the deployment's instances may download with ({@code zs:credentials}), read by the
   * activator at each launch; written before the spec, so that the first launch finds it.
   */
  Mono<Void> credentials(String deploymentId, DeploymentCredentials credentials);

  /** Every credentials entry by deployment id; an unreadable one maps to null (to be rewritten). */
  Mono<Map<String, DeploymentCredentials>> publishedCredentials();

  /** Removes the credentials entries of these deployments (deleted ones). */
  Mono<Void> forgetCredentials(Collection<String> ids);
}
