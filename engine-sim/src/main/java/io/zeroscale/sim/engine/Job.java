package io.zeroscale.sim.engine;

/**
 * What one request asks of the engine, decided before it runs.
 *
 * @param steps decode steps: token ticks for a stream, (steps - 1) inter-token gaps for a
 *     non-stream response; 1 for single-shot families (embeddings, images, ...)
 * @param promptTokens counted into {@code vllm:prompt_tokens_total} on success
 * @param generationTokens counted into {@code vllm:generation_tokens_total} on success
 * @param finishReason label of {@code vllm:request_success_total}
 */
public record Job(int steps, int promptTokens, int generationTokens, FinishReason finishReason) {

  public Job {
    if (steps < 1 || promptTokens < 0 || generationTokens < 0 || finishReason == null) {
      throw new IllegalArgumentException(
          "invalid job: steps=" + steps + ", prompt=" + promptTokens + ", gen=" + generationTokens);
    }
  }

  /** A single-shot request (embeddings, rerank, images, non-stream audio). */
  public static Job singleShot(int promptTokens, int generationTokens) {
    return new Job(1, promptTokens, generationTokens, FinishReason.STOP);
  }
}
