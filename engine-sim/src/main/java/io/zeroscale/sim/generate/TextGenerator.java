package io.zeroscale.sim.generate;

import java.util.SplittableRandom;

/**
 * Deterministic "model output": one token is one word of a small vocabulary, chosen by a PRNG
 * seeded from the prompt's hash, so the same prompt always gets the same answer.
 */
public final class TextGenerator {

  // Plain lowercase ASCII words: nothing needs JSON escaping, every token is one word.
  private static final String[] VOCAB = {
    "the", "model", "is", "a", "simulated", "engine", "that", "answers", "every", "request",
    "with", "words", "from", "small", "vocabulary", "and", "stable", "seed", "so", "tests",
    "can", "compare", "output", "across", "runs", "latency", "token", "stream", "batch", "queue",
    "gateway", "instance", "scale", "zero", "cold", "start", "warm", "path", "fast", "slow",
    "first", "next", "time", "ready", "health", "metric", "gpu", "memory", "prompt", "reply",
    "context", "window", "cache", "block", "server", "client", "event", "flush", "chunk", "done",
    "open", "source", "custom", "serverless"
  };

  // The same words with their leading space, so that a token is never a new string.
  private static final String[] SPACED = new String[VOCAB.length];

  static {
    for (int i = 0; i < VOCAB.length; i++) {
      SPACED[i] = " " + VOCAB[i];
    }
  }

  /** Outputs without an explicit max_tokens have 8 to 31 tokens. */
  static final int MIN_DEFAULT_LENGTH = 8;

  static final int DEFAULT_LENGTH_SPREAD = 24;

  private TextGenerator() {}

  /** Output length when the request sets no max_tokens: 8 + (hash mod 24). */
  public static int defaultLength(long promptHash) {
    return MIN_DEFAULT_LENGTH + (int) Long.remainderUnsigned(promptHash, DEFAULT_LENGTH_SPREAD);
  }

  /**
   * {@code count} tokens: the first is a bare word, every next one has a leading space, so that
   * concatenating them gives the text.
   */
  public static String[] tokens(long seed, int count) {
    SplittableRandom random = new SplittableRandom(seed);
    String[] tokens = new String[count];
    for (int i = 0; i < count; i++) {
      int word = random.nextInt(VOCAB.length);
      tokens[i] = i == 0 ? VOCAB[word] : SPACED[word];
    }
    return tokens;
  }

  /** Concatenation of {@link #tokens}. */
  public static String text(String[] tokens) {
    return String.join("", tokens);
  }

  /** Whitespace-separated words, the simulator's token count for inputs. */
  public static int countWords(CharSequence text) {
    int words = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); i++) {
      boolean space = Character.isWhitespace(text.charAt(i));
      if (!space && !inWord) {
        words++;
      }
      inWord = !space;
    }
    return words;
  }
}
