package io.zeroscale.sim.engine;

import java.util.Locale;

/** Why generation stopped: {@code stop} (natural end) or {@code length} (max_tokens reached). */
public enum FinishReason {
  STOP,
  LENGTH;

  /** The OpenAI / vLLM spelling. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
