package io.zeroscale.gateway.deployment;

import io.zeroscale.api.EngineOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What a revision fixes: the library model, the hardware and the engine options. Everything else of
 * a deployment (name, family, settings) is the deployment's, whatever its revision.
 *
 * @param modelId the library model
 * @param source that model's source, {@code hf://org/repo@revision} (as the library has it)
 * @param gpu catalog name of the GPU type
 * @param numGpus GPUs per instance
 * @param maxBatchSize concurrent requests per instance ({@code --max-num-seqs})
 * @param engine the engine options ({@link EngineOptions#NONE} for none)
 */
public record RevisionContent(
    UUID modelId, String source, String gpu, int numGpus, int maxBatchSize, EngineOptions engine) {

  public RevisionContent {
    Objects.requireNonNull(modelId, "modelId");
    engine = engine == null ? EngineOptions.NONE : engine;
  }

  /**
   * The API fields whose value differs from {@code before}, in the order {@code model}, {@code
   * gpu}, {@code num_gpus}, {@code max_batch_size}, {@code engine}; empty when nothing a revision
   * fixes changed (then no revision is made).
   */
  public List<String> changedFrom(RevisionContent before) {
    List<String> changed = new ArrayList<>();
    if (!modelId.equals(before.modelId())) {
      changed.add("model");
    }
    if (!gpu.equals(before.gpu())) {
      changed.add("gpu");
    }
    if (numGpus != before.numGpus()) {
      changed.add("num_gpus");
    }
    if (maxBatchSize != before.maxBatchSize()) {
      changed.add("max_batch_size");
    }
    if (!engine.equals(before.engine())) {
      changed.add("engine");
    }
    return List.copyOf(changed);
  }
}
