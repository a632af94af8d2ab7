package io.zeroscale.gateway.hardware;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * The GPU catalog ({@code zeroscale.hardware.gpus}). Setting the list replaces the defaults
 * entirely (SPEC §8: L40S-48GB, A100-80GB, H100-80GB, H200-141GB). For example:
 *
 * <pre>
 * zeroscale.hardware.gpus[0].name=A100-80GB
 * zeroscale.hardware.gpus[0].memory-gb=80
 * zeroscale.hardware.gpus[0].usd-per-gpu-hour=2.00
 * zeroscale.hardware.gpus[0].aliases=a100,a100-80g
 * </pre>
 *
 * @param gpus the GPU types offered; null or empty means the defaults
 */
@ConfigurationProperties("zeroscale.hardware")
public record HardwareProperties(List<Gpu> gpus) {

  /** SPEC §8. */
  public static final List<Gpu> DEFAULTS =
      List.of(
          new Gpu("L40S-48GB", 48, new BigDecimal("1.20")),
          new Gpu("A100-80GB", 80, new BigDecimal("2.00")),
          new Gpu("H100-80GB", 80, new BigDecimal("2.50")),
          new Gpu("H200-141GB", 141, new BigDecimal("3.50")));

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final int MAX_PRICE_DECIMALS = 6;

  public HardwareProperties {
    gpus = gpus == null || gpus.isEmpty() ? DEFAULTS : List.copyOf(gpus);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < gpus.size(); i++) {
      Gpu g = gpus.get(i);
      String at = "zeroscale.hardware.gpus[" + i + "].";
      if (g.name() == null || !NAME.matcher(g.name()).matches()) {
        throw new IllegalArgumentException(
            at
                + "name must be 1 to 64 letters, digits, '.', '_' or '-' starting with a letter"
                + " or digit, got '"
                + g.name()
                + "'");
      }
      if (!seen.add(g.name())) {
        throw new IllegalArgumentException(at + "name '" + g.name() + "' appears twice");
      }
      if (g.memoryGb() <= 0) {
        throw new IllegalArgumentException(at + "memory-gb must be > 0, got " + g.memoryGb());
      }
      if (g.aliases() != null) {
        for (String a : g.aliases()) {
          if (a == null || !NAME.matcher(a).matches()) {
            throw new IllegalArgumentException(
                at + "aliases must be names like the GPU's own, got '" + a + "'");
          }
        }
      }
      BigDecimal price = g.usdPerGpuHour();
      if (price == null || price.signum() < 0) {
        throw new IllegalArgumentException(
            at + "usd-per-gpu-hour must be a decimal >= 0, got " + price);
      }
      if (price.stripTrailingZeros().scale() > MAX_PRICE_DECIMALS) {
        throw new IllegalArgumentException(
            at
                + "usd-per-gpu-hour has more than "
                + MAX_PRICE_DECIMALS
                + " decimals (money is counted in micro-dollars), got "
                + price.toPlainString());
      }
    }
  }

  /** The catalog these properties describe. */
  public HardwareCatalog catalog() {
    return new HardwareCatalog(
        gpus.stream()
            .map(g -> new GpuType(g.name(), g.memoryGb(), g.usdPerGpuHour(), g.aliases()))
            .toList());
  }

  /**
   * One GPU type.
   *
   * @param name e.g. {@code A100-80GB}
   * @param memoryGb decimal gigabytes per GPU
   * @param usdPerGpuHour exact hourly price per GPU (never a binary floating point number)
   * @param aliases other names for it, matched without regard to case; null = the name up to its
   *     first '-' ({@code H100-80GB} → {@code h100}), see {@link GpuType#defaultAliases}
   */
  public record Gpu(String name, int memoryGb, BigDecimal usdPerGpuHour, List<String> aliases) {

    /** What configuration binds (a record with a second constructor needs it said). */
    @ConstructorBinding
    public Gpu {}

    public Gpu(String name, int memoryGb, BigDecimal usdPerGpuHour) {
      this(name, memoryGb, usdPerGpuHour, null);
    }
  }
}
