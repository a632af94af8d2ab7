package io.zeroscale.sim.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The model family decides which inference endpoints the simulator serves. */
public enum Family {
  LLM,
  EMBEDDING,
  RERANK,
  IMAGE,
  AUDIO;

  /** The flag spelling: {@code llm}, {@code embedding}, ... */
  public String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a flag value, case-insensitively. */
  public static Optional<Family> parse(String value) {
    return Arrays.stream(values()).filter(f -> f.flagValue().equalsIgnoreCase(value)).findFirst();
  }
}
