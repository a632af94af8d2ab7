package io.zeroscale.gateway.deployment;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.web.ApiObjects;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A deployment as stored, with its tenant's name and its model's library name and source.
 *
 * @param modelLibraryName the library model's current name (it may be renamed)
 * @param modelSource the library model's {@code hf://owner/name@revision}
 * @param modelSha the commit the model's revision resolved to at import, null when unknown (an
 *     unverified import): instances run it ({@link DeploymentRules#pinnedSource})
 * @param modelName the name clients call
 * @param warning e.g. why the model's fit was not checked; null when none
 * @param version grows with every change (see {@link DeploymentSpec#version()})
 * @param deletedAt null while live
 * @param revision the revision its instances must run (see {@link DeploymentRevision})
 * @param engine that revision's engine options
 * @param surge {@code settings.max_surge} lowered to the tenant's GPU quota when it was last
 *     checked: what a rollout may boot above the target ({@link DeploymentRules#surge})
 * @param rolloutReason why it serves an older revision than the last one asked for (an automatic
 *     rollback), kept until the next revision; null when none
 */
public record Deployment(
    UUID id,
    UUID tenantId,
    String tenantName,
    UUID modelId,
    String modelLibraryName,
    String modelSource,
    String modelSha,
    String modelName,
    Family family,
    String gpu,
    int numGpus,
    int maxBatchSize,
    ScalingSettings settings,
    DeploymentStatus status,
    String reason,
    String warning,
    long version,
    Instant createdAt,
    Instant updatedAt,
    Instant deletedAt,
    int revision,
    EngineOptions engine,
    int surge,
    String rolloutReason) {

  public Deployment {
    engine = engine == null ? EngineOptions.NONE : engine;
  }

  /**
   * The reason the API and the published spec show: the activator's (why it is {@code failed} or
   * waits) when it has one, else the automatic rollback's.
   */
  public String shownReason() {
    return reason != null ? reason : rolloutReason;
  }

  /** What its current revision fixes. */
  public RevisionContent content() {
    return new RevisionContent(modelId, modelSource, gpu, numGpus, maxBatchSize, engine);
  }

  /** {@code <tenant>/<model_name>}, unique across the platform. */
  public String fullName() {
    return tenantName + "/" + modelName;
  }

  /** GPUs this deployment may hold at most: max_instances × num_gpus, what the quota counts. */
  public long quotaGpus() {
    return (long) settings.maxInstances() * numGpus;
  }

  /**
   * What the activator, autoscaler and gateways learn through Redis; its source names the commit
   * recorded at import when there is one, so that instances run what was checked.
   */
  public DeploymentSpec spec() {
    return new DeploymentSpec(
        id.toString(),
        tenantId.toString(),
        tenantName,
        modelName,
        family,
        DeploymentRules.pinnedSource(modelSource, modelSha),
        gpu,
        numGpus,
        maxBatchSize,
        settings,
        status,
        shownReason(),
        version,
        revision,
        engine,
        surge);
  }

  /** The tenant API's shape. */
  public Map<String, Object> json(LiveState live) {
    Map<String, Object> m = ApiObjects.of(id, "deployment");
    m.put("model_name", modelName);
    m.put("full_name", fullName());
    m.put("model_id", modelId.toString());
    m.put("model", modelLibraryName);
    m.put("source", modelSource);
    m.put("family", family.wire());
    m.put("gpu", gpu);
    m.put("num_gpus", numGpus);
    m.put("max_batch_size", maxBatchSize);
    m.put("engine", engine.toMap());
    m.put("revision", revision);
    m.put("settings", SettingsRules.json(settings));
    m.put("status", status.wire());
    m.put("reason", shownReason());
    m.put("warning", warning);
    Map<String, Object> instances = new LinkedHashMap<>();
    instances.put("desired", live.desired());
    instances.put("starting", live.starting());
    instances.put("ready", live.ready());
    instances.put("draining", live.draining());
    m.put("instances", instances);
    m.put("rollout", live.rollout(revision));
    m.put("queue_depth", live.queueDepth());
    m.put("autoscaler", autoscalerJson(live.autoscaler()));
    m.put("created_at", createdAt.toString());
    m.put("updated_at", updatedAt.toString());
    return m;
  }

  private static Map<String, Object> autoscalerJson(LiveState.AutoscalerView a) {
    if (a == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("desired", a.desired());
    m.put("reason", a.reason());
    m.put("mode", a.mode());
    m.put("at", Instant.ofEpochMilli(a.at()).toString());
    m.put("idle_but_paid_s", a.idleButPaidS());
    return m;
  }

  /** The OpenAI {@code /v1/models} entry. */
  public Map<String, Object> openAiModel() {
    Map<String, Object> m = ApiObjects.of(modelName, "model");
    m.put("created", createdAt.getEpochSecond());
    m.put("owned_by", tenantName);
    return m;
  }
}
