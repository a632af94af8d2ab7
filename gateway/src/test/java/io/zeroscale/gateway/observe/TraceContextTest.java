package io.zeroscale.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TraceContextTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  @ParameterizedTest
  @CsvSource({
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01, 1",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00, 0",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03, 3",
    // A later version: read by its first 55 characters (W3C forward compatibility).
    "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01, 1",
    "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds, 1",
  })
  void validHeadersParse(String header, int flags) {
    TraceContext t = TraceContext.parse(header).orElseThrow();
    assertThat(t.traceId()).isEqualTo(TRACE);
    assertThat(t.spanId()).isEqualTo(SPAN);
    assertThat(t.flags()).isEqualTo(flags);
  }

  @Test
  void surroundingWhitespaceIsIgnored() {
    assertThat(TraceContext.parse(" \t00-" + TRACE + "-" + SPAN + "-01 ")).isPresent();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "garbage",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
        "00-xbf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
      })
  void invalidHeadersDoNotParse(String header) {
    assertThat(TraceContext.parse(header)).isEmpty();
  }

  @Test
  void theChildKeepsTheTraceWithANewSpan() {
    String incoming = "00-" + TRACE + "-" + SPAN + "-01";
    String child = TraceContext.child(incoming);
    TraceContext t = TraceContext.parse(child).orElseThrow();
    assertThat(t.traceId()).isEqualTo(TRACE);
    assertThat(t.spanId()).isNotEqualTo(SPAN);
    assertThat(t.sampled()).isTrue();
    assertThat(child).matches("00-" + TRACE + "-[0-9a-f]{16}-01");
  }

  @Test
  void theChildKeepsOnlyTheSampledFlag() {
    assertThat(TraceContext.child("00-" + TRACE + "-" + SPAN + "-00")).endsWith("-00");
    assertThat(TraceContext.child("00-" + TRACE + "-" + SPAN + "-03")).endsWith("-01");
    assertThat(TraceContext.child("00-" + TRACE + "-" + SPAN + "-fe")).endsWith("-00");
    // A later version is answered in version 00.
    assertThat(TraceContext.child("01-" + TRACE + "-" + SPAN + "-01-x")).startsWith("00-" + TRACE);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"nonsense", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"})
  void aMissingOrInvalidHeaderStartsAFreshSampledTrace(String incoming) {
    String child = TraceContext.child(incoming);
    assertThat(child).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    assertThat(child).doesNotContain(TRACE);
    assertThat(TraceContext.parse(child)).isPresent();
    assertThat(TraceContext.child(incoming)).isNotEqualTo(child);
  }

  @Test
  void randomIdsAreNeverAllZero() {
    // A generator whose first words are zero: the ids are drawn again.
    Random zeroesFirst =
        new Random() {
          private int calls;

          @Override
          public long nextLong() {
            return calls++ < 3 ? 0 : 0x1234L;
          }
        };
    TraceContext t = TraceContext.fresh(zeroesFirst);
    assertThat(t.traceId()).isEqualTo("00000000000000000000000000001234");
    assertThat(t.spanId()).isEqualTo("0000000000001234");
  }

  @Test
  void headerRoundTripsAndTheRecordValidates() {
    TraceContext t = new TraceContext(TRACE, SPAN, 1);
    assertThat(t.header()).isEqualTo("00-" + TRACE + "-" + SPAN + "-01");
    assertThat(TraceContext.parse(t.header())).contains(t);
    assertThat(new TraceContext(TRACE, SPAN, 255).header()).endsWith("-ff");
    assertThatThrownBy(() -> new TraceContext(TRACE.toUpperCase(), SPAN, 1))
        .hasMessageContaining("traceId");
    assertThatThrownBy(() -> new TraceContext(TRACE, "0000000000000000", 1))
        .hasMessageContaining("spanId");
    assertThatThrownBy(() -> new TraceContext(TRACE, SPAN, 256)).hasMessageContaining("flags");
  }
}
