package io.zeroscale.api;

/**
 * What the gateway, activator and autoscaler need to know about a deployment, as published to Redis
 * by the control plane (see {@link RedisSchema}). Identity and family are fixed for the
 * deployment's life; {@code settings} change live; the model, hardware and engine options belong to
 * a {@code revision}, and a new revision is rolled out by the activator (instances of older
 * revisions are replaced); {@code version} grows with every change so that a subscriber can drop a
 * stale publication.
 *
 * @param id deployment id (UUID text)
 * @param tenantId owning tenant's id
 * @param tenant owning tenant's name
 * @param modelName the name clients call, unique within the tenant
 * @param family which data-plane paths may call it
 * @param source the model's source, {@code hf://org/repo@revision}
 * @param gpu GPU type from the hardware catalog, e.g. {@code A100-80GB}
 * @param numGpus GPUs per instance (tensor parallel size): 1, 2, 4 or 8
 * @param maxBatchSize concurrent requests one instance takes from the whole gateway fleet
 * @param settings scaling settings
 * @param status lifecycle status ({@code pending}, ..., {@code deleting}, {@code deleted})
 * @param reason why it is {@code failed} or waits ({@code pending} for GPU capacity), or null
 * @param version monotonically increasing change counter
 * @param revision the revision the instances must run (1 for a new deployment); instances of an
 *     older revision are replaced by a rollout
 * @param engine the revision's engine options ({@link EngineOptions#NONE} for none)
 * @param surge instances the rollout to this revision may boot above the target: {@code
 *     settings.max_surge}, lowered to what the tenant's GPU quota allows
 */
public record DeploymentSpec(
    String id,
    String tenantId,
    String tenant,
    String modelName,
    Family family,
    String source,
    String gpu,
    int numGpus,
    int maxBatchSize,
    ScalingSettings settings,
    DeploymentStatus status,
    String reason,
    long version,
    int revision,
    EngineOptions engine,
    int surge) {

  public DeploymentSpec {
    if (engine == null) {
      engine = EngineOptions.NONE;
    }
  }

  /**
   * Whether {@code other} runs the same thing as this: model source, GPU type and count,
   * max_batch_size and engine options. A revision with the same content as an instance's (a
   * rollback to what still runs) needs no new instance.
   */
  public boolean sameRevisionContent(DeploymentSpec other) {
    return source.equals(other.source)
        && gpu.equals(other.gpu)
        && numGpus == other.numGpus
        && maxBatchSize == other.maxBatchSize
        && engine.equals(other.engine);
  }

  /** The name that is unique across the platform: {@code <tenant>/<model_name>}. */
  public String fullName() {
    return tenant + "/" + modelName;
  }
}
