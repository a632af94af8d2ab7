package io.zeroscale.api;

import java.util.Optional;

/** What a model does, which decides the data-plane paths that may call it (SPEC §2). */
public enum Family implements WireName {
  LLM,
  EMBEDDING,
  RERANK,
  IMAGE,
  AUDIO;

  public static Optional<Family> fromWire(String value) {
    return WireName.fromWire(Family.class, value);
  }
}
