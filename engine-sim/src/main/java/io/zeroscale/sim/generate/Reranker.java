package io.zeroscale.sim.generate;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Deterministic relevance: mostly word overlap with the query (so obviously relevant documents rank
 * first), plus a small hash-derived part that breaks ties stably.
 */
public final class Reranker {

  private static final double OVERLAP_WEIGHT = 0.8;

  private Reranker() {}

  /**
   * Score in [0, 1]: 0.8 × (query words found in the document / query words) + 0.2 × a stable hash
   * of the pair. Example: query "red apple", document "an apple a day" → 0.8 × 1/2 + 0.2 × h,
   * between 0.4 and 0.6.
   */
  public static double score(String query, String document) {
    Set<String> queryWords = words(query);
    Set<String> documentWords = words(document);
    double overlap = 0;
    if (!queryWords.isEmpty()) {
      int found = 0;
      for (String w : queryWords) {
        if (documentWords.contains(w)) {
          found++;
        }
      }
      overlap = (double) found / queryWords.size();
    }
    double tiebreak = Hashing.unit(Hashing.of(query + '\u0000' + document));
    return OVERLAP_WEIGHT * overlap + (1 - OVERLAP_WEIGHT) * tiebreak;
  }

  private static Set<String> words(String text) {
    Set<String> words = new HashSet<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    return words;
  }
}
