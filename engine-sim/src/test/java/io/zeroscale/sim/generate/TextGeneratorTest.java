package io.zeroscale.sim.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TextGeneratorTest {

  @Test
  void theSameSeedGivesTheSameTokens() {
    assertThat(TextGenerator.tokens(42, 10)).containsExactly(TextGenerator.tokens(42, 10));
    assertThat(TextGenerator.tokens(42, 10)).isNotEqualTo(TextGenerator.tokens(43, 10));
  }

  @Test
  void everyTokenButTheFirstHasALeadingSpace() {
    String[] tokens = TextGenerator.tokens(7, 5);
    assertThat(tokens[0]).doesNotStartWith(" ").isNotBlank();
    for (int i = 1; i < tokens.length; i++) {
      assertThat(tokens[i]).startsWith(" ").doesNotContain("  ");
      assertThat(tokens[i].trim()).doesNotContain(" ");
    }
    assertThat(TextGenerator.countWords(TextGenerator.text(tokens))).isEqualTo(5);
  }

  @Test
  void defaultLengthsSpanEightToThirtyOne() {
    Set<Integer> lengths = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      int length = TextGenerator.defaultLength(Hashing.of("prompt " + i));
      assertThat(length).isBetween(8, 31);
      lengths.add(length);
    }
    assertThat(lengths).hasSize(24);
  }

  @Test
  void countsWhitespaceSeparatedWords() {
    assertThat(TextGenerator.countWords("")).isZero();
    assertThat(TextGenerator.countWords("  one\ttwo\n three  ")).isEqualTo(3);
  }

  @Test
  void hashesAreStableAcrossRuns() {
    // Pinned values: a change here changes every simulated output, on purpose or not.
    assertThat(Hashing.of("hello")).isEqualTo(5938878386273073331L);
    assertThat(TextGenerator.tokens(Hashing.of("hello"), 4))
        .containsExactly("cache", " flush", " event", " batch");
    assertThat(Hashing.of("hello")).isNotEqualTo(Hashing.of("hellp"));
    assertThat(Hashing.of(new byte[] {1, 2, 3})).isEqualTo(Hashing.of(new byte[] {1, 2, 3}));
    assertThat(Hashing.unit(Hashing.of("x"))).isBetween(0.0, 1.0);
  }
}
