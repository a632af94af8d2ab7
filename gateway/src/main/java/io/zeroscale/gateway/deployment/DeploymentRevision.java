package io.zeroscale.gateway.deployment;

import io.zeroscale.gateway.web.ApiObjects;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One revision of a deployment, as {@code deployment_revisions} stores it.
 *
 * @param deploymentId the deployment
 * @param revision its number, 1 for the deployment's first
 * @param content the model, hardware and engine options it fixes
 * @param modelName the library model's current name (it may have been renamed since)
 * @param changed the API fields it changed from the revision before (empty for revision 1)
 * @param status where it is in its life
 * @param reason why it failed, or null
 * @param createdAt when it was asked for
 */
public record DeploymentRevision(
    UUID deploymentId,
    int revision,
    RevisionContent content,
    String modelName,
    List<String> changed,
    RevisionStatus status,
    String reason,
    Instant createdAt) {

  public DeploymentRevision {
    changed = List.copyOf(changed);
  }

  /** The tenant API's {@code deployment_revision} object. */
  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("object", "deployment_revision");
    m.put("revision", revision);
    m.put("changed", changed);
    m.put("model_id", content.modelId().toString());
    m.put("model", modelName);
    m.put("source", content.source());
    m.put("gpu", content.gpu());
    m.put("num_gpus", content.numGpus());
    m.put("max_batch_size", content.maxBatchSize());
    m.put("engine", content.engine().toMap());
    m.put("status", status.wire());
    m.put("reason", reason);
    m.put("created_at", ApiObjects.time(createdAt));
    return m;
  }
}
