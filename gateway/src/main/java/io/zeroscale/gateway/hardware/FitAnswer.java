package io.zeroscale.gateway.hardware;

import io.zeroscale.gateway.model.hub.ModelFit;
import java.util.OptionalInt;

/**
 * Whether a model fits on a GPU type, as {@code GET /api/v1/hardware?model=} shows it.
 *
 * @param fits true when some GPU count of {@link HardwareCatalog#NUM_GPUS_OPTIONS} holds the model,
 *     null when the model's size is unknown
 * @param minGpus the smallest such count, null when none fits or the size is unknown
 * @param note why the answer is unknown, null when it is known
 */
public record FitAnswer(Boolean fits, Integer minGpus, String note) {

  /** The answer for weights of a known size: 13.5 GB on A100-80GB → fits, 1 GPU. */
  public static FitAnswer forWeights(GpuType gpu, long weightBytes) {
    OptionalInt min = ModelFit.minGpus(weightBytes, gpu.memoryBytes());
    return min.isPresent()
        ? new FitAnswer(true, min.getAsInt(), null)
        : new FitAnswer(false, null, null);
  }

  public static FitAnswer unknown(String note) {
    return new FitAnswer(null, null, note);
  }
}
