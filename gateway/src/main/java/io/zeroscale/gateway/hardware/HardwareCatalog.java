package io.zeroscale.gateway.hardware;

import io.zeroscale.gateway.model.hub.ModelFit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The GPU types deployments may ask for, in catalog order, and the GPU counts they may use. */
public final class HardwareCatalog {

  /** Tensor-parallel sizes a deployment may ask for (SPEC §8). */
  public static final List<Integer> NUM_GPUS_OPTIONS = ModelFit.GPU_COUNTS;

  private final Map<String, GpuType> byName = new LinkedHashMap<>();

  public HardwareCatalog(List<GpuType> gpus) {
    for (GpuType g : gpus) {
      if (byName.putIfAbsent(g.name(), g) != null) {
        throw new IllegalArgumentException("GPU type '" + g.name() + "' appears twice");
      }
    }
    if (byName.isEmpty()) {
      throw new IllegalArgumentException("the hardware catalog needs at least one GPU type");
    }
  }

  /** The SPEC §8 defaults. */
  public static HardwareCatalog defaults() {
    return new HardwareProperties(null).catalog();
  }

  public List<GpuType> gpus() {
    return List.copyOf(byName.values());
  }

  /** By exact name (GPU names are case-sensitive, as in the catalog). */
  public Optional<GpuType> find(String name) {
    return Optional.ofNullable(name == null ? null : byName.get(name));
  }

  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  public static boolean isValidNumGpus(int numGpus) {
    return NUM_GPUS_OPTIONS.contains(numGpus);
  }
}
