package io.zeroscale.gateway.model;

import java.util.Locale;

/**
 * Where a library model's import stands (SPEC §3).
 *
 * <ul>
 *   <li>{@code importing}: the hub lookup runs; not deployable yet
 *   <li>{@code ready}: found on the hub with a known size; its fit is checked
 *   <li>{@code failed}: the hub says it does not exist, refuses access, or has no weights; not
 *       deployable, {@code error} says why
 *   <li>{@code unverified}: the hub could not be reached; deployable, fit unchecked, its
 *       deployments carry a warning
 * </ul>
 */
public enum ModelStatus {
  IMPORTING,
  READY,
  FAILED,
  UNVERIFIED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ModelStatus fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
