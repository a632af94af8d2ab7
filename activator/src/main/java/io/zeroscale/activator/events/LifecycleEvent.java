package io.zeroscale.activator.events;

import io.zeroscale.api.WireName;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * One transition of one instance. Its id is derived from (instance, type), so the same transition
 * written twice, by a retry or by a new leader that re-adopts the instance, is the same event: the
 * ledger keeps the first and ignores the rest.
 *
 * @param instanceId the instance
 * @param deploymentId its deployment
 * @param tenantId the deployment's tenant
 * @param type the transition
 * @param at when it happened
 * @param gpu GPU type the instance holds
 * @param numGpus GPUs it holds
 * @param runtime {@code process} or {@code kubernetes}
 * @param detail why (exit code, reason), or null
 */
public record LifecycleEvent(
    String instanceId,
    String deploymentId,
    String tenantId,
    Type type,
    Instant at,
    String gpu,
    int numGpus,
    String runtime,
    String detail) {

  /** Lifecycle transitions; billing counts from {@link #SCHEDULED} to {@link #STOPPED}. */
  public enum Type implements WireName {
    /** The activator decided to start it. */
    REQUESTED,
    /** It holds its GPUs (process started, pod scheduled): billable from here. */
    SCHEDULED,
    /** {@code /health} answered 200; it is published. */
    READY,
    /** It takes no new requests and finishes what it has. */
    DRAINING,
    /** It is gone and holds nothing: billing stops here. */
    STOPPED,
    /** It failed to boot or crashed; a {@link #STOPPED} follows once its resources are freed. */
    FAILED
  }

  /** The event's unique id, {@code UUID.nameUUIDFromBytes("<instance>/<type>")}. */
  public UUID eventId() {
    return UUID.nameUUIDFromBytes(
        (instanceId + "/" + type.wire()).getBytes(StandardCharsets.UTF_8));
  }

  /** The same event (the same id) as it happened at {@code when}. */
  public LifecycleEvent withAt(Instant when) {
    return new LifecycleEvent(
        instanceId, deploymentId, tenantId, type, when, gpu, numGpus, runtime, detail);
  }
}
