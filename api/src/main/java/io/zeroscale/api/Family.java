package io.zeroscale.api;

import java.util.Locale;
import java.util.Optional;

/** What a model does, which decides the data-plane paths that may call it (SPEC §2). */
public enum Family {
  LLM,
  EMBEDDING,
  RERANK,
  IMAGE,
  AUDIO;

  /** The lowercase name used on the wire and in the database. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Family> fromWire(String value) {
    if (value == null) {
      return Optional.empty();
    }
    for (Family f : values()) {
      if (f.wire().equals(value)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
