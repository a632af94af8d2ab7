package io.zeroscale.gateway.hardware;

import io.zeroscale.gateway.model.hub.ModelFit;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * One GPU type of the catalog (SPEC §8).
 *
 * @param name e.g. {@code A100-80GB}, what a deployment's {@code gpu} names
 * @param memoryGb memory per GPU in decimal gigabytes, as vendors quote it (80 GB = 80 × 10⁹ B)
 * @param usdPerGpuHour exact price of one GPU for one hour, at most 6 decimals (micro-dollars)
 */
public record GpuType(String name, int memoryGb, BigDecimal usdPerGpuHour) {

  public GpuType {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(usdPerGpuHour, "usdPerGpuHour");
    if (memoryGb <= 0) {
      throw new IllegalArgumentException("memoryGb must be positive, got " + memoryGb);
    }
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
