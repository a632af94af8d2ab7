package io.zeroscale.sim.generate;

/**
 * Stable 64-bit hashes (FNV-1a, then a SplitMix64 finalizer so nearby inputs spread). Stable across
 * JVMs and runs, unlike {@link String#hashCode()}'s poor spread or identity hashes.
 */
public final class Hashing {

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Hashing() {}

  /** Hash of a text (over its UTF-16 code units). */
  public static long of(CharSequence text) {
    long h = FNV_OFFSET;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      h = (h ^ (c & 0xff)) * FNV_PRIME;
      h = (h ^ (c >>> 8)) * FNV_PRIME;
    }
    return mix(h);
  }

  /** Hash of raw bytes (an uploaded file). */
  public static long of(byte[] bytes) {
    long h = FNV_OFFSET;
    for (byte b : bytes) {
      h = (h ^ (b & 0xff)) * FNV_PRIME;
    }
    return mix(h);
  }

  /** Derives the seed of item {@code index} (a choice, an image) from a base hash. */
  public static long derive(long base, long index) {
    return mix(base + 0x9e3779b97f4a7c15L * (index + 1));
  }

  /** SplitMix64's finalizer. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A value in [0, 1) from a hash. */
  public static double unit(long hash) {
    return (hash >>> 11) * 0x1.0p-53;
  }
}
