package io.zeroscale.gateway.web;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Generators for the property-based tests of the body parsers: JSON values with the numbers and
 * strings that break parsers, and mutations (delete, insert, replace, truncate, repeat) that turn a
 * valid body into an almost-valid one, where parsers are most likely to be wrong.
 */
public final class Fuzz {

  /** Numbers a parser must refuse or bound: huge exponents, beyond long, non-finite, odd forms. */
  public static final List<String> NASTY_NUMBERS =
      List.of(
          "1e-2147483647",
          "1e2147483647",
          "1E+2147483647",
          "-1e-2147483648",
          "1e99999999999",
          "1e400",
          "-1e400",
          "1e-400",
          "4.9e-324",
          "1.7976931348623157e308",
          "-0",
          "-0.0",
          "0.0000000000000000000000001",
          "123456789012345678901234567890",
          "9223372036854775808",
          "-9223372036854775809",
          "2147483648",
          "-2147483649",
          "9".repeat(150),
          "0." + "1".repeat(150),
          "NaN",
          "Infinity",
          "-Infinity",
          "01",
          "1.",
          ".5",
          "+1",
          "0x10");

  /** Fragments a mutation inserts: structure, escapes, surrogates, duplicate fields, nesting. */
  public static final List<String> TOKENS =
      List.of(
          "{",
          "}",
          "[",
          "]",
          "\"",
          ",",
          ":",
          "\\",
          "\\u",
          "\\ud800",
          "\ud800",
          "\udc00",
          "\u0000",
          "\r\n",
          "\n",
          "--",
          "null",
          "true",
          "\"x\"",
          "\"num_gpus\":2,",
          "\"settings\":{},",
          "\"model\":\"other\",",
          "\"stream\":true,",
          "[".repeat(40),
          "{\"a\":".repeat(40),
          "\"" + "s".repeat(300) + "\"",
          "1e-2147483647",
          "\"1e-20000000\"",
          "1e400");

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Fuzz() {}

  /** Whether {@code text} is one valid JSON value (NaN, 01 or +1 are not). */
  public static boolean isJson(String text) {
    try {
      JSON.readTree(text);
      return true;
    } catch (JacksonException | NumberFormatException e) {
      return false;
    }
  }

  /** A JSON string literal for {@code s}, escaped as a client would. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /** Any JSON number text, from the everyday to {@link #NASTY_NUMBERS}. */
  public static Arbitrary<String> numbers() {
    return Arbitraries.oneOf(
        Arbitraries.integers().map(String::valueOf),
        Arbitraries.longs().map(String::valueOf),
        Combinators.combine(
                Arbitraries.bigIntegers()
                    .between(
                        new java.math.BigInteger("-" + "9".repeat(30)),
                        new java.math.BigInteger("9".repeat(30))),
                Arbitraries.integers())
            .as((unscaled, scale) -> new java.math.BigDecimal(unscaled, scale).toString()),
        Arbitraries.doubles()
            .map(String::valueOf)
            .filter(s -> !s.contains("N") && !s.contains("I")),
        Arbitraries.of(NASTY_NUMBERS));
  }

  /** Any JSON scalar: numbers, numbers in strings, strings (a few long ones), booleans, null. */
  public static Arbitrary<String> scalars() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, numbers()),
        Tuple.of(2, numbers().map(Fuzz::quote)),
        Tuple.of(3, Arbitraries.strings().ofMaxLength(40).map(Fuzz::quote)),
        Tuple.of(1, Arbitraries.strings().withCharRange(' ', '~').ofLength(1_000).map(Fuzz::quote)),
        Tuple.of(2, Arbitraries.of("true", "false", "null", "{}", "[]")));
  }

  /** Any JSON value up to two levels deep, scalars at the leaves. */
  public static Arbitrary<String> values() {
    return Arbitraries.recursive(
        Fuzz::scalars,
        inner ->
            Arbitraries.frequencyOf(
                Tuple.of(3, inner),
                Tuple.of(1, inner.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]")),
                Tuple.of(
                    1,
                    Combinators.combine(
                            Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .ofMaxLength(12)
                                .list()
                                .ofMaxSize(3),
                            inner.list().ofSize(3))
                        .as(Fuzz::object))),
        0,
        2);
  }

  /** An object text from names and values (names beyond the values are dropped). */
  public static String object(List<String> names, List<String> values) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < Math.min(names.size(), values.size()); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(quote(names.get(i))).append(':').append(values.get(i));
    }
    return sb.append('}').toString();
  }

  /** One change to a text or a byte array. */
  public record Mutation(int kind, int at, int length, String token) {

    public String apply(String s) {
      int i = s.isEmpty() ? 0 : Math.floorMod(at, s.length() + 1);
      int end = Math.min(s.length(), i + length);
      return switch (kind) {
        case 0 -> s.substring(0, i) + s.substring(end); // delete
        case 1 -> s.substring(0, i) + token + s.substring(i); // insert
        case 2 -> s.substring(0, i) + token + s.substring(end); // replace
        case 3 -> s.substring(0, i); // truncate
        default -> s.substring(0, end) + s.substring(i, end) + s.substring(end); // repeat
      };
    }

    public byte[] apply(byte[] b) {
      return apply(new String(b, StandardCharsets.ISO_8859_1))
          .getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  /** Mutations that insert {@link #TOKENS}, {@link #NASTY_NUMBERS} or the given fragments. */
  public static Arbitrary<Mutation> mutations(String... extraTokens) {
    Arbitrary<String> tokens =
        Arbitraries.oneOf(
            Arbitraries.of(TOKENS),
            Arbitraries.of(NASTY_NUMBERS),
            extraTokens.length == 0 ? Arbitraries.of(TOKENS) : Arbitraries.of(extraTokens),
            Arbitraries.strings().ofMaxLength(3));
    return Combinators.combine(
            Arbitraries.integers().between(0, 4),
            Arbitraries.integers().greaterOrEqual(0),
            Arbitraries.integers().between(0, 20),
            tokens)
        .as(Mutation::new);
  }

  /** {@code s} after each mutation in turn. */
  public static String mutate(String s, List<Mutation> mutations) {
    for (Mutation m : mutations) {
      s = m.apply(s);
    }
    return s;
  }

  /** {@code b} after each mutation in turn. */
  public static byte[] mutate(byte[] b, List<Mutation> mutations) {
    for (Mutation m : mutations) {
      b = m.apply(b);
    }
    return b;
  }
}
