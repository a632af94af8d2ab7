package io.zeroscale.sim.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class EmbeddingsTest {

  @Test
  void vectorsAreDeterministicAndUnitLength() {
    float[] a = Embeddings.vector(123, 384);
    assertThat(a).hasSize(384).containsExactly(Embeddings.vector(123, 384));
    double norm = 0;
    for (float v : a) {
      norm += v * v;
    }
    assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-5));
    assertThat(Embeddings.vector(124, 384)).isNotEqualTo(a);
  }

  @Test
  void base64IsLittleEndianFloat32AndRoundTripsExactly() {
    float[] v = Embeddings.vector(9, 17);
    String encoded = Embeddings.base64(v);
    assertThat(Base64.getDecoder().decode(encoded)).hasSize(17 * 4);
    assertThat(Embeddings.fromBase64(encoded)).containsExactly(v);
  }

  @Test
  void base64ByteOrderMatchesOpenAi() {
    // 1.0f is 0x3f800000: little-endian bytes 00 00 80 3f.
    assertThat(Base64.getDecoder().decode(Embeddings.base64(new float[] {1.0f})))
        .containsExactly(0x00, 0x00, 0x80, 0x3f);
  }
}
