package io.zeroscale.gateway.model.hub;

import java.math.BigInteger;
import java.util.List;
import java.util.OptionalInt;

/**
 * The fit rule of SPEC §8: a model fits when {@code weightBytes × 1.2 ≤ numGpus × gpuMemoryBytes}.
 * The 20 % head-room is for the KV cache, activations and the CUDA context. GPU memory is in
 * decimal units, as the catalog quotes it: 80 GB = 80 × 10⁹ bytes.
 *
 * <p>Worked numbers on A100-80GB (80e9 bytes per GPU):
 *
 * <ul>
 *   <li>Llama-2-7B in BF16: 13_476_839_424 × 1.2 = 16.17e9 ≤ 80e9, so 1 GPU.
 *   <li>Llama-2-70B in BF16: 137_953_316_864 × 1.2 = 165.54e9. One GPU holds 80e9 (no), two hold
 *       160e9 (no: 165.54 > 160), four hold 320e9 (yes): it needs <b>4</b> GPUs, not 2. On
 *       H200-141GB two GPUs suffice (282e9 ≥ 165.54e9); on L40S-48GB four (192e9).
 * </ul>
 *
 * <p>The comparison is done on integers as {@code weightBytes × 12 ≤ numGpus × gpuMemoryBytes ×
 * 10}, so that a model exactly at the limit is not pushed over by a rounding of 1.2 (which has no
 * exact binary representation), and in {@link BigInteger} so that no product can overflow: 12 ×
 * {@code Long.MAX_VALUE} would.
 */
public final class ModelFit {

  /** Tensor-parallel sizes a deployment may ask for (SPEC §8). */
  public static final List<Integer> GPU_COUNTS = List.of(1, 2, 4, 8);

  private static final BigInteger TWELVE = BigInteger.valueOf(12);

  private ModelFit() {}

  /**
   * Whether weights of {@code weightBytes} fit in {@code numGpus} GPUs of {@code gpuMemoryBytes}
   * each. Any positive GPU count is accepted; restricting it to {@link #GPU_COUNTS} is the
   * deployment validation's job.
   */
  public static boolean fits(long weightBytes, int numGpus, long gpuMemoryBytes) {
    if (weightBytes < 0) {
      throw new IllegalArgumentException("weightBytes must not be negative, got " + weightBytes);
    }
    if (numGpus < 1) {
      throw new IllegalArgumentException("numGpus must be at least 1, got " + numGpus);
    }
    if (gpuMemoryBytes <= 0) {
      throw new IllegalArgumentException("gpuMemoryBytes must be positive, got " + gpuMemoryBytes);
    }
    BigInteger needed = BigInteger.valueOf(weightBytes).multiply(TWELVE);
    BigInteger capacity =
        BigInteger.valueOf(numGpus)
            .multiply(BigInteger.valueOf(gpuMemoryBytes))
            .multiply(BigInteger.TEN);
    return needed.compareTo(capacity) <= 0;
  }

  /** The smallest of {@link #GPU_COUNTS} that fits, or empty when even 8 GPUs are too small. */
  public static OptionalInt minGpus(long weightBytes, long gpuMemoryBytes) {
    for (int gpus : GPU_COUNTS) {
      if (fits(weightBytes, gpus, gpuMemoryBytes)) {
        return OptionalInt.of(gpus);
      }
    }
    return OptionalInt.empty();
  }

  /** Decimal gigabytes to bytes, as the hardware catalog counts: {@code gigabytes(80)} = 80e9. */
  public static long gigabytes(long gb) {
    return Math.multiplyExact(gb, 1_000_000_000L);
  }
}
