package io.zeroscale.sim.generate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RerankerTest {

  @Test
  void scoresAreInUnitRangeAndDeterministic() {
    double s = Reranker.score("red apple", "an apple a day");
    assertThat(s).isBetween(0.4, 0.6).isEqualTo(Reranker.score("red apple", "an apple a day"));
    assertThat(Reranker.score("x", "")).isBetween(0.0, 0.2);
    assertThat(Reranker.score("", "anything")).isBetween(0.0, 0.2);
  }

  @Test
  void overlappingDocumentsOutrankUnrelatedOnes() {
    String query = "What is the capital of France?";
    assertThat(Reranker.score(query, "Paris is the capital of France."))
        .isGreaterThan(Reranker.score(query, "Bananas are yellow."));
  }
}
