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

  /**
   * By exact name, as stored on deployments and ledger rows; what a client sends goes through
   * {@link #resolve} (case and aliases) first.
   */
  public Optional<GpuType> find(String name) {
    return Optional.ofNullable(name == null ? null : byName.get(name));
  }

  /**
   * What a deployment's {@code gpu} names: its exact name first, else every type whose name or
   * alias matches without regard to case ({@code h100}, {@code h100-80gb} → {@code H100-80GB}).
   */
  public Resolved resolve(String requested) {
    if (requested == null) {
      return new Resolved.Unknown();
    }
    GpuType exact = byName.get(requested);
    if (exact != null) {
      return new Resolved.Found(exact);
    }
    List<GpuType> matches = byName.values().stream().filter(g -> g.answersTo(requested)).toList();
    return switch (matches.size()) {
      case 0 -> new Resolved.Unknown();
      case 1 -> new Resolved.Found(matches.getFirst());
      default -> new Resolved.Ambiguous(matches.stream().map(GpuType::name).toList());
    };
  }

  /** The outcome of {@link #resolve}. */
  public sealed interface Resolved {
    /** One type. */
    record Found(GpuType gpu) implements Resolved {}

    /** No type of that name or alias. */
    record Unknown() implements Resolved {}

    /** An alias of several types (e.g. {@code a100} with A100-40GB and A100-80GB). */
    record Ambiguous(List<String> candidates) implements Resolved {}
  }

  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  public static boolean isValidNumGpus(int numGpus) {
    return NUM_GPUS_OPTIONS.contains(numGpus);
  }
}
