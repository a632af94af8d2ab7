package io.zeroscale.gateway.model.hub;

import static io.zeroscale.gateway.model.hub.ModelFit.gigabytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelFitTest {

  private static final long LLAMA_7B = 13_476_839_424L;
  private static final long LLAMA_70B = 137_953_316_864L;

  @ParameterizedTest(name = "{0} bytes on {1} GB → at least {2} GPUs")
  @CsvSource({
    // 7B: 16.17e9 needed, fits in one of anything in the catalog.
    "13476839424,  48,  1",
    "13476839424,  80,  1",
    "13476839424, 141,  1",
    // 70B: 165.54e9 needed; 2 × 80 = 160 is not enough, 2 × 141 = 282 is.
    "137953316864, 48,  4",
    "137953316864, 80,  4",
    "137953316864, 141, 2",
    // 8 × 80e9 = 640e9 holds 533.33e9 of weights at most.
    "533333333333, 80,  8",
  })
  void minGpusIsTheSmallestTensorParallelSizeThatFits(long weightBytes, long gb, int expected) {
    assertThat(ModelFit.minGpus(weightBytes, gigabytes(gb))).hasValue(expected);
  }

  @Test
  void seventyBillionNeedsMoreThanOneAndMoreThanTwoEightyGigabyteGpus() {
    assertThat(ModelFit.fits(LLAMA_70B, 1, gigabytes(80))).isFalse();
    assertThat(ModelFit.fits(LLAMA_70B, 2, gigabytes(80))).isFalse();
    assertThat(ModelFit.fits(LLAMA_70B, 4, gigabytes(80))).isTrue();
    assertThat(ModelFit.fits(LLAMA_7B, 1, gigabytes(80))).isTrue();
  }

  @Test
  void tooBigForEightGpusHasNoMinimum() {
    // 533_333_333_334 × 12 = 6_400_000_000_008 > 8 × 80e9 × 10.
    assertThat(ModelFit.minGpus(533_333_333_334L, gigabytes(80))).isEqualTo(OptionalInt.empty());
  }

  @Test
  void exactlyOnePointTwoTimesFits() {
    assertThat(ModelFit.fits(10_000, 1, 12_000)).isTrue();
    assertThat(ModelFit.fits(10_001, 1, 12_000)).isFalse();
    // 66_666_666_666 × 12 = 799_999_999_992 ≤ 800e9; one byte more is 800_000_000_004.
    assertThat(ModelFit.fits(66_666_666_666L, 1, gigabytes(80))).isTrue();
    assertThat(ModelFit.fits(66_666_666_667L, 1, gigabytes(80))).isFalse();
    assertThat(ModelFit.fits(0, 1, 1)).isTrue();
  }

  @Test
  void hugeValuesDoNotOverflow() {
    // 12 × MAX overflows a long; 12 × MAX ≤ 20 × MAX must still hold, 12 × MAX ≤ 10 × MAX not.
    assertThat(ModelFit.fits(Long.MAX_VALUE, 1, Long.MAX_VALUE)).isFalse();
    assertThat(ModelFit.fits(Long.MAX_VALUE, 2, Long.MAX_VALUE)).isTrue();
    assertThat(ModelFit.minGpus(Long.MAX_VALUE, Long.MAX_VALUE)).hasValue(2);
    assertThat(ModelFit.fits(Long.MAX_VALUE, 8, gigabytes(80))).isFalse();
    assertThat(ModelFit.fits(1, Integer.MAX_VALUE, Long.MAX_VALUE)).isTrue();
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> ModelFit.fits(-1, 1, gigabytes(80)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weightBytes");
    assertThatThrownBy(() -> ModelFit.fits(1, 0, gigabytes(80)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("numGpus");
    assertThatThrownBy(() -> ModelFit.minGpus(1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gpuMemoryBytes");
  }

  @Test
  void gigabytesAreDecimal() {
    assertThat(gigabytes(80)).isEqualTo(80_000_000_000L);
    assertThat(gigabytes(141)).isEqualTo(141_000_000_000L);
    assertThatThrownBy(() -> gigabytes(Long.MAX_VALUE)).isInstanceOf(ArithmeticException.class);
  }
}
