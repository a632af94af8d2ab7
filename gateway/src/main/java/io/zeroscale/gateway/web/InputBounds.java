package io.zeroscale.gateway.web;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;

/**
 * The bounds of what a client may send to the tenant and admin APIs ({@code /api/v1}, {@code
 * /admin/v1}), listed in docs/api.md "Input bounds". Each is checked before the value is converted,
 * formatted or stored: a refusal is a small 4xx, never a 500 and never work in proportion to an
 * exponent the client chose.
 *
 * <p>Why: {@code new BigDecimal("1e-2147483647")} is 13 characters and cheap, but its {@code
 * toPlainString()} is 2^31 characters (an OutOfMemoryError on the event loop); {@code 1e400} read
 * as a double is Infinity, which no BigDecimal can hold; {@code Instant.parse} accepts the year
 * +999999999, which PostgreSQL cannot store (4713 BC to 294276 AD).
 */
public final class InputBounds {

  /** Characters of a rejected value quoted back in an error message; longer ones end in "…". */
  public static final int MAX_ECHO = 40;

  /**
   * Nesting of objects and arrays in a request body. The deepest body the API takes is 3 ({@code
   * {"model":{"hf":{"repo":..}}}}); 16 leaves room without letting a body of 100 000 {@code [} make
   * every recursive reader work.
   */
  public static final int MAX_DEPTH = 16;

  /**
   * Characters of one JSON number. The longest number the API takes is a spend limit with 10
   * integer digits and 6 decimals (17 characters); 100 covers any honest spelling.
   */
  public static final int MAX_NUMBER_LENGTH = 100;

  /**
   * Characters of one JSON string. The longest string the API takes is an {@code hf_token} (1024)
   * or a hub URL; 16 KiB bounds every string that is later hashed, matched or echoed.
   */
  public static final int MAX_STRING_LENGTH = 16_384;

  /** Characters of one field name; every field the API knows is under 32. */
  public static final int MAX_NAME_LENGTH = 256;

  /**
   * Digits before and after the decimal point of a decimal value. Every decimal field is far inside
   * it (a spend limit is at most 10 digits with 6 decimals, a utilization 1 with 3), and within it
   * a value's plain form is at most 38 characters.
   */
  public static final int MAX_DECIMAL_DIGITS = 18;

  /** Characters of a decimal sent as a string ({@code "0.75"}), checked before it is parsed. */
  public static final int MAX_DECIMAL_TEXT = 64;

  /** The earliest time the API takes (query parameters, {@code expires_at}). */
  public static final Instant MIN_TIME = Instant.parse("1970-01-01T00:00:00Z");

  /**
   * The end (exclusive) of the times the API takes: every time stays a 4-digit year, which ISO-8601
   * text, PostgreSQL and the month arithmetic of invoices all handle.
   */
  public static final Instant MAX_TIME = Instant.parse("9999-01-01T00:00:00Z");

  private InputBounds() {}

  /** {@code s} as quoted in an error message: at most {@value #MAX_ECHO} characters, then "…". */
  public static String echo(String s) {
    if (s == null) {
      return "null";
    }
    if (s.length() <= MAX_ECHO) {
      return s;
    }
    // Never cut a surrogate pair in two: half a character is not valid UTF-8.
    int end = Character.isHighSurrogate(s.charAt(MAX_ECHO - 1)) ? MAX_ECHO - 1 : MAX_ECHO;
    return s.substring(0, end) + "…";
  }

  /**
   * A decimal as quoted in an error message: its plain form when that is short, else the scientific
   * one ({@code 1E-2147483647}), which is short whatever the exponent.
   */
  public static String echo(BigDecimal v) {
    long integerDigits = (long) v.precision() - v.scale();
    boolean shortPlain =
        v.precision() <= MAX_ECHO && v.scale() <= MAX_ECHO && integerDigits <= MAX_ECHO;
    return echo(shortPlain ? v.toPlainString() : v.toString());
  }

  /**
   * Why {@code v} is beyond {@value #MAX_DECIMAL_DIGITS} digits before or after the point, if it
   * is. Trailing zeros do not count ({@code 1.500} has 1 decimal); the arithmetic is in longs
   * because {@code 1E+2147483647} has 2^31 integer digits.
   */
  public static Optional<String> decimalProblem(BigDecimal v) {
    BigDecimal s = v.stripTrailingZeros();
    long decimals = s.scale();
    long integerDigits = (long) s.precision() - s.scale();
    if (decimals > MAX_DECIMAL_DIGITS || integerDigits > MAX_DECIMAL_DIGITS) {
      return Optional.of(
          "at most "
              + MAX_DECIMAL_DIGITS
              + " digits before and "
              + MAX_DECIMAL_DIGITS
              + " after the decimal point");
    }
    return Optional.empty();
  }

  /** Whether {@code t} is in [{@link #MIN_TIME}, {@link #MAX_TIME}). */
  public static boolean storable(Instant t) {
    return !t.isBefore(MIN_TIME) && t.isBefore(MAX_TIME);
  }

  /** The range of {@link #storable} times, for messages. */
  public static String timeRange() {
    return "between 1970-01-01 and 9999-01-01 (UTC)";
  }
}
