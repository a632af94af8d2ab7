package io.zeroscale.sim.generate;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.SplittableRandom;

/** Deterministic unit-length embedding vectors and OpenAI's base64 encoding of them. */
public final class Embeddings {

  private Embeddings() {}

  /** A unit-norm vector of {@code dimensions} floats seeded by the input's hash. */
  public static float[] vector(long seed, int dimensions) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] raw = new double[dimensions];
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      raw[i] = random.nextDouble(-1.0, 1.0);
      norm += raw[i] * raw[i];
    }
    norm = Math.sqrt(norm);
    if (norm == 0) {
      raw[0] = 1;
      norm = 1;
    }
    float[] v = new float[dimensions];
    for (int i = 0; i < dimensions; i++) {
      v[i] = (float) (raw[i] / norm);
    }
    return v;
  }

  /**
   * {@code encoding_format: base64}: the float32 values as little-endian bytes, base64-encoded
   * (what OpenAI returns and what its SDKs decode with {@code np.frombuffer(..., "float32")}).
   */
  public static String base64(float[] vector) {
    ByteBuffer buffer =
        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(vector);
    return Base64.getEncoder().encodeToString(buffer.array());
  }

  /** Inverse of {@link #base64}. */
  public static float[] fromBase64(String encoded) {
    ByteBuffer buffer =
        ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[buffer.remaining() / Float.BYTES];
    buffer.asFloatBuffer().get(v);
    return v;
  }
}
