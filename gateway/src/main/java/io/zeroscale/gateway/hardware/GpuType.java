package io.zeroscale.gateway.hardware;

import io.zeroscale.gateway.model.hub.ModelFit;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One GPU type of the catalog (SPEC §8).
 *
 * @param name e.g. {@code A100-80GB}, what a deployment's {@code gpu} names
 * @param memoryGb memory per GPU in decimal gigabytes, as vendors quote it (80 GB = 80 × 10⁹ B)
 * @param usdPerGpuHour exact price of one GPU for one hour, at most 6 decimals (micro-dollars)
 * @param aliases other names a deployment's {@code gpu} may use for it, lower case (matched without
 *     regard to case, like the name); e.g. {@code h100} for {@code H100-80GB}
 */
public record GpuType(String name, int memoryGb, BigDecimal usdPerGpuHour, List<String> aliases) {

  public GpuType {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(usdPerGpuHour, "usdPerGpuHour");
    if (memoryGb <= 0) {
      throw new IllegalArgumentException("memoryGb must be positive, got " + memoryGb);
    }
    aliases =
        (aliases == null ? defaultAliases(name) : aliases)
            .stream()
                .map(a -> a.toLowerCase(Locale.ROOT))
                .filter(a -> !a.equalsIgnoreCase(name))
                .distinct()
                .toList();
  }

  /** A type with the default aliases of its name. */
  public GpuType(String name, int memoryGb, BigDecimal usdPerGpuHour) {
    this(name, memoryGb, usdPerGpuHour, null);
  }

  /**
   * The short name the seed platforms use (Together's {@code h100}, {@code a100}): the name up to
   * its first {@code -}, lower case. {@code H100-80GB} → {@code [h100]}; {@code B200} → none (the
   * name itself, already matched without regard to case).
   */
  public static List<String> defaultAliases(String name) {
    int dash = name.indexOf('-');
    return dash <= 0 ? List.of() : List.of(name.substring(0, dash).toLowerCase(Locale.ROOT));
  }

  /** Whether {@code requested} is this type's name or one of its aliases, ignoring case. */
  public boolean answersTo(String requested) {
    if (name.equalsIgnoreCase(requested)) {
      return true;
    }
    String lower = requested.toLowerCase(Locale.ROOT);
    return aliases.contains(lower);
  }

  /** Memory per GPU in bytes: 80 GB → 80_000_000_000. */
  public long memoryBytes() {
    return ModelFit.gigabytes(memoryGb);
  }

  /** The hourly price in integer micro-dollars, for billing: 2.00 → 2_000_000. */
  public long microsPerGpuHour() {
    return usdPerGpuHour.movePointRight(6).longValueExact();
  }

  /** The price as shown to people: at least cents, never rounded: 2 → 2.00, 1.2345 → 1.2345. */
  public BigDecimal displayPrice() {
    BigDecimal exact = usdPerGpuHour.stripTrailingZeros();
    return exact.scale() <= 2 ? exact.setScale(2, RoundingMode.UNNECESSARY) : exact;
  }
}
