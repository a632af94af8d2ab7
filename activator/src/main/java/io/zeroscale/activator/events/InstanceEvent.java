package io.zeroscale.activator.events;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One instance transition as the tenant sees it in the deployment's event list ({@code
 * zs:scaling-events:<id>}, next to the autoscaler's decisions): which instance, of which revision,
 * on which GPU type, so that a rollout reads as {@code requested → … → ready} of the new revision
 * and {@code draining → stopped} of the old. Unlike {@link LifecycleEvent} (billing's input, never
 * dropped) it is a display: written best-effort, lost if Redis cannot take it.
 *
 * @param deploymentId the deployment whose list it goes to
 * @param at when it happened
 * @param instanceId the instance
 * @param revision the deployment revision the instance runs
 * @param type the transition
 * @param gpu the GPU type the instance holds
 * @param detail why (exit code, reason), or null
 */
public record InstanceEvent(
    String deploymentId,
    Instant at,
    String instanceId,
    int revision,
    LifecycleEvent.Type type,
    String gpu,
    String detail) {

  /**
   * The {@code kind} that tells these entries from the autoscaler's decisions (which have none): a
   * reader of the list that does not know a kind skips the entry.
   */
  public static final String KIND = "instance";

  /** The event of the tenant's list for {@code e}, an instance of {@code revision}. */
  public static InstanceEvent of(LifecycleEvent e, int revision) {
    return new InstanceEvent(
        e.deploymentId(), e.at(), e.instanceId(), revision, e.type(), e.gpu(), e.detail());
  }

  /**
   * The list entry, in this order: {@code
   * {"at":epochMs,"kind":"instance","instance_id":"…","revision":n,"type":"ready","gpu":"…","detail":null}}.
   */
  public Map<String, Object> fields() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", at.toEpochMilli());
    m.put("kind", KIND);
    m.put("instance_id", instanceId);
    m.put("revision", revision);
    m.put("type", type.wire());
    m.put("gpu", gpu);
    m.put("detail", detail);
    return m;
  }
}
