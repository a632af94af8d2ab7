package io.zeroscale.sim.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the simulator's duration syntax: {@code 3s}, {@code 50ms}, {@code 1m}, {@code 0}. */
public final class Durations {

  private static final Pattern DURATION =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h)?", Pattern.CASE_INSENSITIVE);

  private Durations() {}

  /**
   * Parses a duration; a plain number is milliseconds (llm-d-inference-sim's convention), so {@code
   * 250} and {@code 250ms} are the same. Fractions are allowed: {@code 1.5s} = 1500 ms.
   *
   * @throws IllegalArgumentException when the text is not a non-negative duration
   */
  public static Duration parse(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (examples: 3s, 50ms, 1m, 0; a plain number is ms)");
    }
    BigDecimal amount = new BigDecimal(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2).toLowerCase(java.util.Locale.ROOT);
    long nanosPerUnit =
        switch (unit) {
          case "ns" -> 1L;
          case "us" -> 1_000L;
          case "ms" -> 1_000_000L;
          case "s" -> 1_000_000_000L;
          case "m" -> 60_000_000_000L;
          case "h" -> 3_600_000_000_000L;
          default -> throw new IllegalArgumentException("unknown duration unit " + unit);
        };
    return Duration.ofNanos(amount.multiply(BigDecimal.valueOf(nanosPerUnit)).longValueExact());
  }

  /** Formats a duration the way the flags are written: {@code 0}, {@code 50ms}, {@code 3s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0";
    }
    if (d.toNanos() % 1_000_000_000L == 0) {
      return d.toSeconds() + "s";
    }
    if (d.toNanos() % 1_000_000L == 0) {
      return d.toMillis() + "ms";
    }
    return d.toNanos() + "ns";
  }
}
