package io.zeroscale.gateway.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.gateway.error.OpenAiError;
import org.junit.jupiter.api.Test;

class BodyLimitsTest {

  @Test
  void defaultsAreTwoAndThirtyTwoMebibytes() {
    BodyLimits limits = BodyLimits.defaults();
    assertThat(limits.defaultBytes()).isEqualTo(2_097_152L);
    assertThat(limits.audioBytes()).isEqualTo(33_554_432L);
    assertThat(limits.limitFor(InferencePath.AUDIO_TRANSCRIPTIONS)).isEqualTo(33_554_432L);
    for (InferencePath p : InferencePath.values()) {
      if (p != InferencePath.AUDIO_TRANSCRIPTIONS) {
        assertThat(limits.limitFor(p)).as(p.name()).isEqualTo(2_097_152L);
      }
    }
  }

  @Test
  void limitsOutsideOneByteToTwoGibibytesAreRefusedNamingTheProperty() {
    assertThatThrownBy(() -> new BodyLimits(0, 10))
        .hasMessage(
            "zeroscale.gateway.body-limits.default-bytes must be between 1 and 2147483639 bytes,"
                + " got 0");
    assertThatThrownBy(() -> new BodyLimits(10, 3_000_000_000L))
        .hasMessageContaining("audio-bytes")
        .hasMessageContaining("3000000000");
    assertThat(new BodyLimits(1, BodyLimits.MAX_BYTES).audioBytes())
        .isEqualTo(Integer.MAX_VALUE - 8);
  }

  @Test
  void tooLargeIsAn413WithTheSizesAndThePath() {
    OpenAiError e = BodyLimits.tooLarge(3_000_000, 2_097_152, "/v1/embeddings");
    assertThat(e.status()).isEqualTo(413);
    assertThat(e.type()).isEqualTo("invalid_request_error");
    assertThat(e.code()).isEqualTo("request_too_large");
    assertThat(e.param()).isNull();
    assertThat(e.message())
        .isEqualTo(
            "Request body too large: 3000000 bytes exceed the limit of 2097152 bytes for"
                + " /v1/embeddings.");
    assertThat(BodyLimits.tooLargeAtLeast(2_097_153, 2_097_152, null).message())
        .isEqualTo(
            "Request body too large: at least 2097153 bytes exceed the limit of 2097152 bytes.");
  }
}
