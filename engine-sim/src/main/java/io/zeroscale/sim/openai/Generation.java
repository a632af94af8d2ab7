package io.zeroscale.sim.openai;

import io.zeroscale.sim.engine.FinishReason;
import io.zeroscale.sim.engine.Job;
import io.zeroscale.sim.generate.Hashing;
import io.zeroscale.sim.generate.TextGenerator;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole output of an LLM request, decided up front from the prompt hashes: the simulator only
 * has to pace it.
 *
 * @param choices one per (prompt, n) pair, indexed as OpenAI does: prompt × n + i
 * @param promptTokens sum over prompts
 */
public record Generation(List<Choice> choices, int promptTokens) {

  /**
   * One choice's tokens.
   *
   * @param index the choice index
   * @param tokens words; the first bare, the next ones with a leading space
   * @param finishReason {@code length} when max_tokens was given, else {@code stop}
   */
  public record Choice(int index, String[] tokens, FinishReason finishReason) {
    public String text() {
      return TextGenerator.text(tokens);
    }
  }

  /**
   * Plans the output: with {@code max_tokens} every choice has exactly that many tokens
   * (finish_reason length), else 8 + (prompt hash mod 24) tokens (finish_reason stop).
   *
   * @throws InvalidRequestException when prompt + max_tokens exceeds the context window, as vLLM
   */
  public static Generation plan(LlmRequest request, int maxModelLen) {
    List<Choice> choices = new ArrayList<>();
    int promptTokens = 0;
    for (LlmRequest.Prompt prompt : request.prompts()) {
      promptTokens += prompt.tokens();
      if (request.maxTokens().isPresent()
          && (long) prompt.tokens() + request.maxTokens().getAsInt() > maxModelLen) {
        throw new InvalidRequestException(
            "max_tokens",
            "This model's maximum context length is "
                + maxModelLen
                + " tokens. However, you requested "
                + ((long) prompt.tokens() + request.maxTokens().getAsInt())
                + " tokens ("
                + prompt.tokens()
                + " in the messages, "
                + request.maxTokens().getAsInt()
                + " in the completion).");
      }
      long hash = Hashing.of(prompt.text());
      int length = request.maxTokens().orElse(TextGenerator.defaultLength(hash));
      FinishReason reason =
          request.maxTokens().isPresent() ? FinishReason.LENGTH : FinishReason.STOP;
      for (int i = 0; i < request.n(); i++) {
        String[] tokens = TextGenerator.tokens(Hashing.derive(hash, i), length);
        choices.add(new Choice(choices.size(), tokens, reason));
      }
    }
    return new Generation(List.copyOf(choices), promptTokens);
  }

  /** Decode steps: the longest choice. */
  public int steps() {
    int steps = 1;
    for (Choice c : choices) {
      steps = Math.max(steps, c.tokens().length);
    }
    return steps;
  }

  public int completionTokens() {
    int total = 0;
    for (Choice c : choices) {
      total += c.tokens().length;
    }
    return total;
  }

  /** The engine's view of this request. */
  public Job job() {
    FinishReason reason = choices.getFirst().finishReason();
    return new Job(steps(), promptTokens, completionTokens(), reason);
  }
}
