package io.zeroscale.activator.loop;

import io.zeroscale.activator.events.InstanceEvent;
import io.zeroscale.activator.reconcile.LiveCounts;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.InstanceEndpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Port: everything the activator reads from and writes to shared state (Redis in production, {@link
 * RedisActivatorStore}; maps in tests). Errors are signals: the loop treats a failed read as "act
 * on nothing this pass" and a failed write as "the next pass repairs it".
 */
public interface ActivatorStore {

  /** Takes or extends the leader lease for {@code id}; true when {@code id} leads. */
  Mono<Boolean> lease(String id, Duration ttl);

  /** Gives the lease up if {@code id} holds it. */
  Mono<Void> release(String id);

  /** Every live deployment by id (deleted and malformed ones left out). */
  Mono<Map<String, DeploymentSpec>> deployments();

  /**
   * The HF token a new instance of the deployment gets: its credentials entry ({@code
   * zs:credentials}, written by the control plane) opened ({@link Credentials}); {@link
   * Credentials.Token#NONE} when there is no entry or it is unreadable or does not open (logged).
   * An error when the store cannot answer: the launch then waits.
   */
  Mono<Credentials.Token> token(String deploymentId);

  /** Desired replicas per deployment id (missing: none asked for). */
  Mono<Map<String, Integer>> desired();

  /** Raises desired replicas to {@code replicas} for a wake-up unless already that high. */
  Mono<Boolean> wake(String deploymentId, int replicas, Instant at);

  /** Sets desired replicas outright, with the reason the autoscaler and operators see. */
  Mono<Void> setDesired(String deploymentId, int replicas, String reason, Instant at);

  /** The endpoints published for a deployment, by instance id. */
  Mono<Map<String, InstanceEndpoint>> endpoints(String deploymentId);

  /** Deployment ids that have endpoints published (to clean up after deleted deployments). */
  Flux<String> deploymentsWithEndpoints();

  /** Writes the endpoint and tells every gateway. */
  Mono<Void> publish(InstanceEndpoint endpoint);

  /** Removes the endpoint and tells every gateway (idempotent). */
  Mono<Void> unpublish(String deploymentId, String instanceId);

  /** Replaces the live state with {@code live}, dropping deployments no longer there. */
  Mono<Void> publishLive(Map<String, LiveCounts> live, Instant at);

  /**
   * Adds instance events to the deployment's tenant-visible event list ({@code
   * zs:scaling-events:<id>}, shared with the autoscaler's decisions), oldest first, so that the
   * newest ends at the head; the list keeps its last 100 entries and expires 7 days after the last.
   */
  Mono<Void> pushEvents(String deploymentId, List<InstanceEvent> events);

  /**
   * Calls {@code listener} with every wake-up message from now on (on the store's thread): a
   * deployment id, followed by a space and the waking request's {@code traceparent} when that
   * request is traced ({@link BootTracing}). Throws when it cannot subscribe yet (Redis down): the
   * caller tries again.
   */
  void subscribeWakeUps(Consumer<String> listener);
}
