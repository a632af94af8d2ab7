package io.zeroscale.api;

import java.util.Locale;
import java.util.Optional;

/**
 * An enum whose constants go on the wire (JSON, Redis, the database) as their lower-case names,
 * e.g. {@code SCALED_TO_ZERO} as {@code scaled_to_zero}.
 */
public interface WireName {

  /** The constant's name ({@link Enum#name()}). */
  String name();

  /** The lower-case name used on the wire and in the database. */
  default String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The constant of {@code type} whose {@link #wire()} is {@code value}; empty when none is. */
  static <E extends Enum<E> & WireName> Optional<E> fromWire(Class<E> type, String value) {
    for (E e : type.getEnumConstants()) {
      if (e.wire().equals(value)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }
}
