package io.zeroscale.gateway.observe;

import java.util.Optional;

/**
 * Tokens an engine reported for one request (OpenAI's {@code usage} object).
 *
 * @param promptTokens tokens read: the prompt, the embedded or reranked texts
 * @param completionTokens tokens generated; 0 for embeddings and rerank
 * @param totalTokens as reported, else prompt + completion
 */
public record Usage(long promptTokens, long completionTokens, long totalTokens) {

  public Usage {
    if (promptTokens < 0 || completionTokens < 0 || totalTokens < 0) {
      throw new IllegalArgumentException(
          "token counts must not be negative, got prompt="
              + promptTokens
              + " completion="
              + completionTokens
              + " total="
              + totalTokens);
    }
  }

  /**
   * Usage from the fields an engine sent, any of which may be missing (null). Chat and completions
   * send all three; embeddings send {@code prompt_tokens} and {@code total_tokens}; vLLM's and
   * Jina's rerank send only {@code total_tokens}, which are then all prompt tokens. Without a
   * prompt or a total count there is nothing to meter.
   */
  static Optional<Usage> of(Long prompt, Long completion, Long total) {
    long c = completion == null ? 0 : completion;
    Long p = prompt != null ? prompt : total == null ? null : Math.max(0, total - c);
    if (p == null) {
      return Optional.empty();
    }
    return Optional.of(new Usage(p, c, total != null ? total : p + c));
  }
}
