package io.zeroscale.gateway.web;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small property-testing helper for the body parsers, over {@link SplittableRandom}: {@link
 * #forAll} runs a property on a fixed number of generated inputs, and {@link Gen} generates them:
 * JSON values with the numbers and strings that break parsers, and mutations (bit flips,
 * truncation, insertion of random bytes or tokens, duplication of segments) that turn a valid body
 * into an almost-valid one, where parsers are most likely to be wrong.
 *
 * <p>Runs are deterministic: try {@code i} of a property draws from a generator seeded with {@link
 * #trySeed(long, int) trySeed(seed, i)}, and the seed is {@link #SEED} unless {@code -Dfuzz.seed}
 * says otherwise (to explore other inputs locally). A failure names the seed, the try and its
 * input, so rerunning the test replays it, and {@link #replay} runs that one try alone.
 */
public final class Fuzz {

  /** The base seed of every property, unless {@code -Dfuzz.seed=<hex or decimal>} is given. */
  public static final long SEED = 0x5EED_0013_C0FF_EEL;

  /** Inputs are quoted in failure messages up to this many characters. */
  private static final int MAX_SHOWN = 300;

  /** Numbers a parser must refuse or bound: huge exponents, beyond long, non-finite, odd forms. */
  public static final List<String> NASTY_NUMBERS =
      List.of(
          "0E+2147483648",
          "-9.9E+2147483677",
          "1e-2147483647",
          "1e2147483647",
          "1E+2147483647",
          "-1e-2147483648",
          "1e99999999999",
          "1e" + "9".repeat(40),
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
          "9".repeat(2_000),
          "0." + "1".repeat(150),
          "1." + "0".repeat(1_500) + "1",
          "NaN",
          "Infinity",
          "-Infinity",
          "01",
          "1.",
          ".5",
          "+1",
          "0x10",
          "1e",
          "1e+",
          "--1",
          "1_000");

  /**
   * Fragments a mutation inserts: structure, escapes, surrogates and other Unicode, control
   * characters, duplicate fields, deep nesting.
   */
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
          "\\u0000",
          "\ud800",
          "\udc00",
          "\ud83d\ude00",
          "日本語",
          "é",
          "\u2028",
          "\ufeff",
          "\ufffd",
          "\u0000",
          "\u0001",
          "\u001f",
          "\u007f",
          "\t",
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
          "[".repeat(2_000),
          "{\"a\":".repeat(1_000),
          "\"" + "s".repeat(300) + "\"",
          "\"" + "s".repeat(20_000) + "\"",
          "1e-2147483647",
          "\"1e-20000000\"",
          "1e400");

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Fuzz() {}

  /** A property of one input; it fails by throwing. */
  @FunctionalInterface
  public interface Property<T> {
    void check(T input) throws Exception;
  }

  /** The base seed of this run: {@code -Dfuzz.seed} or {@link #SEED}. */
  public static long seed() {
    String s = System.getProperty("fuzz.seed");
    if (s == null || s.isBlank()) {
      return SEED;
    }
    s = s.strip().replace("_", "");
    return s.startsWith("0x") || s.startsWith("0X")
        ? Long.parseUnsignedLong(s.substring(2), 16)
        : Long.parseLong(s);
  }

  /** The seed of try {@code i} from base {@code seed}: SplitMix64 of the pair. */
  public static long trySeed(long seed, int i) {
    long z = seed + (i + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Checks {@code property} on {@code tries} inputs from {@code generator}, from the run's {@link
   * #seed()}. The first failure ends the run with an {@link AssertionError} naming the seed, the
   * try and the input (its first {@value #MAX_SHOWN} characters), caused by what the property
   * threw.
   */
  public static <T> void forAll(int tries, Function<Gen, T> generator, Property<T> property) {
    long seed = seed();
    for (int i = 0; i < tries; i++) {
      check(seed, i, tries, generator, property);
    }
  }

  /** Runs try {@code i} of base {@code seed} alone, as a failure message names it. */
  public static <T> void replay(
      long seed, int i, Function<Gen, T> generator, Property<T> property) {
    check(seed, i, 1, generator, property);
  }

  private static <T> void check(
      long seed, int i, int tries, Function<Gen, T> generator, Property<T> property) {
    T input = generator.apply(new Gen(trySeed(seed, i)));
    try {
      property.check(input);
    } catch (Exception | AssertionError e) {
      throw new AssertionError(
          String.format(
              "Property failed on try %d of %d, seed 0x%016x"
                  + " (replay: -Dfuzz.seed=0x%016x, or Fuzz.replay(0x%016xL, %d, ...))%n"
                  + "input: %s%nfailure: %s",
              i, tries, seed, seed, seed, i, show(input), e),
          e);
    }
  }

  /**
   * An input as a failure message quotes it: strings and bytes escaped (bytes as ISO-8859-1, with
   * {@code \xNN} for the unprintable), records by component, cut at {@value #MAX_SHOWN} characters.
   */
  public static String show(Object input) {
    String s = describe(input);
    return s.length() <= MAX_SHOWN
        ? s
        : s.substring(0, MAX_SHOWN) + "… (" + s.length() + " characters)";
  }

  private static String describe(Object o) {
    if (o == null) {
      return "null";
    }
    if (o instanceof byte[] b) {
      StringBuilder sb = new StringBuilder("bytes[" + b.length + "]\"");
      for (int i = 0; i < b.length && sb.length() < 4 * MAX_SHOWN; i++) {
        int c = b[i] & 0xFF;
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
          sb.append((char) c);
        } else {
          sb.append(String.format("\\x%02x", c));
        }
      }
      return sb.append('"').toString();
    }
    if (o instanceof CharSequence s) {
      StringBuilder sb = new StringBuilder("\"");
      for (int i = 0; i < s.length() && sb.length() < 4 * MAX_SHOWN; i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          sb.append('\\').append(c);
        } else if (c < 0x20 || c == 0x7F || Character.isSurrogate(c) || c == '\u2028') {
          sb.append(String.format("\\u%04x", (int) c));
        } else {
          sb.append(c);
        }
      }
      return sb.append('"').toString();
    }
    if (o instanceof Collection<?> c) {
      List<String> parts = new ArrayList<>();
      for (Object e : c) {
        parts.add(describe(e));
      }
      return "[" + String.join(", ", parts) + "]";
    }
    if (o instanceof Record r) {
      List<String> parts = new ArrayList<>();
      for (RecordComponent rc : r.getClass().getRecordComponents()) {
        try {
          parts.add(rc.getName() + "=" + describe(rc.getAccessor().invoke(r)));
        } catch (ReflectiveOperationException e) {
          parts.add(rc.getName() + "=?");
        }
      }
      return r.getClass().getSimpleName() + "[" + String.join(", ", parts) + "]";
    }
    return String.valueOf(o);
  }

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

  /** One change to a text or a byte array; {@link Gen#mutation} makes them. */
  public record Mutation(Kind kind, int at, int length, String token, int bit) {

    /** What a mutation does at its position. */
    public enum Kind {
      /** Remove {@code length} characters. */
      DELETE,
      /** Insert the token. */
      INSERT,
      /** Replace {@code length} characters with the token. */
      REPLACE,
      /** Cut everything from the position on. */
      TRUNCATE,
      /** Repeat the {@code length} characters from the position. */
      DUPLICATE,
      /** Flip bit {@code bit} of the character or byte at the position. */
      FLIP
    }

    public String apply(String s) {
      int i = Math.floorMod(at, s.length() + 1);
      int end = Math.min(s.length(), i + length);
      return switch (kind) {
        case DELETE -> s.substring(0, i) + s.substring(end);
        case INSERT -> s.substring(0, i) + token + s.substring(i);
        case REPLACE -> s.substring(0, i) + token + s.substring(end);
        case TRUNCATE -> s.substring(0, i);
        case DUPLICATE -> s.substring(0, end) + s.substring(i, end) + s.substring(end);
        case FLIP ->
            i == s.length()
                ? s
                : s.substring(0, i) + (char) (s.charAt(i) ^ (1 << (bit % 16))) + s.substring(i + 1);
      };
    }

    /** The same change to bytes; a token is inserted as UTF-8 (random bytes as ISO-8859-1). */
    public byte[] apply(byte[] b) {
      int i = Math.floorMod(at, b.length + 1);
      int end = Math.min(b.length, i + length);
      byte[] t = tokenBytes();
      return switch (kind) {
        case DELETE -> concat(slice(b, 0, i), slice(b, end, b.length));
        case INSERT -> concat(slice(b, 0, i), t, slice(b, i, b.length));
        case REPLACE -> concat(slice(b, 0, i), t, slice(b, end, b.length));
        case TRUNCATE -> slice(b, 0, i);
        case DUPLICATE -> concat(slice(b, 0, end), slice(b, i, end), slice(b, end, b.length));
        case FLIP -> {
          byte[] c = b.clone();
          if (i < c.length) {
            c[i] ^= (byte) (1 << (bit % 8));
          }
          yield c;
        }
      };
    }

    private byte[] tokenBytes() {
      boolean latin1 = token.chars().allMatch(c -> c <= 0xFF);
      return token.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    private static byte[] slice(byte[] b, int from, int to) {
      return Arrays.copyOfRange(b, from, to);
    }

    private static byte[] concat(byte[]... parts) {
      int n = 0;
      for (byte[] p : parts) {
        n += p.length;
      }
      byte[] out = new byte[n];
      int at = 0;
      for (byte[] p : parts) {
        System.arraycopy(p, 0, out, at, p.length);
        at += p.length;
      }
      return out;
    }
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

  /**
   * A source of random inputs for one try. Sizes and values lean towards edges (empty, one, the
   * maximum; 0, ±1, the extremes of int and long) as often as towards the middle.
   */
  public static final class Gen {

    private static final String PRINTABLE = printableAscii();
    private static final String JSONISH = "{}[]\":,\\ \t\r\n0123456789-+.eEtrufalsn";
    private static final String UNICODE = "éüß日本語€\u00a0\u2028\u2029\ufeff\ufffd";

    private final SplittableRandom random;

    public Gen(long seed) {
      this.random = new SplittableRandom(seed);
    }

    private static String printableAscii() {
      StringBuilder sb = new StringBuilder();
      for (char c = ' '; c <= '~'; c++) {
        sb.append(c);
      }
      return sb.toString();
    }

    /** True with probability {@code 1 / n}. */
    public boolean oneIn(int n) {
      return random.nextInt(n) == 0;
    }

    public boolean bool() {
      return random.nextBoolean();
    }

    /** True, false or (one time in five) null. */
    public Boolean nullableBool() {
      return oneIn(5) ? null : random.nextBoolean();
    }

    /** An int in {@code [min, max]}, the bounds themselves more often than by chance. */
    public int between(int min, int max) {
      return switch (random.nextInt(10)) {
        case 0 -> min;
        case 1 -> max;
        default -> (int) random.nextLong(min, (long) max + 1);
      };
    }

    /** Any long, uniformly. */
    public long nextLong() {
      return random.nextLong();
    }

    /** Any int, often an edge: 0, ±1, the extremes, small numbers. */
    public int anyInt() {
      return switch (random.nextInt(8)) {
        case 0 -> pick(0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1);
        case 1, 2 -> random.nextInt(-1_000, 1_001);
        default -> random.nextInt();
      };
    }

    /** Any long, often an edge: 0, ±1, the extremes, the int extremes ±1. */
    public long anyLong() {
      return switch (random.nextInt(8)) {
        case 0 ->
            pick(
                0L,
                -1L,
                Long.MAX_VALUE,
                Long.MIN_VALUE,
                Integer.MAX_VALUE + 1L,
                Integer.MIN_VALUE - 1L);
        case 1 -> random.nextLong(-1_000_000, 1_000_001);
        default -> random.nextLong();
      };
    }

    /** A non-negative integer of 1 to {@code maxDigits} digits, digit counts evenly spread. */
    public BigInteger digits(int maxDigits) {
      int n = 1 + random.nextInt(maxDigits);
      StringBuilder sb = new StringBuilder(n);
      sb.append((char) ('0' + (n == 1 ? random.nextInt(10) : 1 + random.nextInt(9))));
      for (int i = 1; i < n; i++) {
        sb.append((char) ('0' + random.nextInt(10)));
      }
      return new BigInteger(sb.toString());
    }

    @SafeVarargs
    public final <T> T pick(T... choices) {
      return choices[random.nextInt(choices.length)];
    }

    public <T> T pick(List<T> choices) {
      return choices.get(random.nextInt(choices.size()));
    }

    /** A list of {@code min} to {@code max} elements, each from {@code element}. */
    public <T> List<T> list(int min, int max, Supplier<T> element) {
      int n = between(min, max);
      List<T> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(element.get());
      }
      return out;
    }

    /** A value from {@code element} that passes {@code filter} (drawn again until one does). */
    public <T> T filtered(Supplier<T> element, Predicate<T> filter) {
      for (int i = 0; i < 1_000; i++) {
        T t = element.get();
        if (filter.test(t)) {
          return t;
        }
      }
      throw new IllegalStateException("the filter refused 1000 values in a row");
    }

    /**
     * Any character: printable ASCII, JSON syntax, control characters, Latin-1, other Unicode, any
     * BMP character, or a lone surrogate.
     */
    public char anyChar() {
      return switch (random.nextInt(10)) {
        case 0, 1, 2 -> PRINTABLE.charAt(random.nextInt(PRINTABLE.length()));
        case 3 -> JSONISH.charAt(random.nextInt(JSONISH.length()));
        case 4 -> random.nextBoolean() ? (char) random.nextInt(0x20) : '\u007f';
        case 5 -> (char) (0x80 + random.nextInt(0x80));
        case 6 -> UNICODE.charAt(random.nextInt(UNICODE.length()));
        case 7 -> (char) (0xD800 + random.nextInt(0x800));
        default -> (char) random.nextInt(0x10000);
      };
    }

    /** Any string of up to {@code maxLength} characters ({@link #anyChar}, and emoji pairs). */
    public String string(int maxLength) {
      return string(0, maxLength);
    }

    public String string(int minLength, int maxLength) {
      int n = between(minLength, maxLength);
      StringBuilder sb = new StringBuilder(n);
      while (sb.length() < n) {
        if (n - sb.length() >= 2 && oneIn(20)) {
          sb.appendCodePoint(0x10000 + random.nextInt(0x100000));
        } else {
          sb.append(anyChar());
        }
      }
      return sb.toString();
    }

    /** A string of {@code min} to {@code max} characters of {@code alphabet}. */
    public String string(int minLength, int maxLength, String alphabet) {
      int n = between(minLength, maxLength);
      StringBuilder sb = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      return sb.toString();
    }

    /** Printable ASCII of exactly {@code length} characters. */
    public String printable(int length) {
      return string(length, length, PRINTABLE);
    }

    /** Up to {@code maxLength} bytes: uniformly random, or mostly ASCII and JSON syntax. */
    public byte[] bytes(int maxLength) {
      int n = between(0, maxLength);
      byte[] b = new byte[n];
      if (random.nextBoolean()) {
        for (int i = 0; i < n; i++) {
          b[i] = (byte) random.nextInt(256);
        }
      } else {
        for (int i = 0; i < n; i++) {
          b[i] =
              (byte)
                  (oneIn(8)
                      ? random.nextInt(256)
                      : oneIn(3)
                          ? JSONISH.charAt(random.nextInt(JSONISH.length()))
                          : PRINTABLE.charAt(random.nextInt(PRINTABLE.length())));
        }
      }
      return b;
    }

    /**
     * Any JSON number text, from the everyday to {@link #NASTY_NUMBERS}: ints, longs, decimals of
     * up to 30 digits at any scale (so exponents beyond int), doubles, and long digit strings with
     * huge exponents.
     */
    public String number() {
      return switch (random.nextInt(7)) {
        case 0 -> String.valueOf(anyInt());
        case 1 -> String.valueOf(anyLong());
        case 2 -> {
          BigInteger unscaled = digits(30);
          yield new BigDecimal(bool() ? unscaled : unscaled.negate(), anyInt()).toString();
        }
        case 3 -> {
          double d =
              oneIn(2)
                  ? Double.longBitsToDouble(random.nextLong())
                  : (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-10, 11));
          yield Double.isFinite(d) ? String.valueOf(d) : "0.5";
        }
        case 4 -> {
          String mantissa = digits(oneIn(4) ? 1_200 : 40).toString();
          if (bool()) {
            mantissa += "." + digits(oneIn(4) ? 1_200 : 40);
          }
          String exponent =
              pick(
                  String.valueOf(anyInt()),
                  String.valueOf(anyLong()),
                  digits(40).toString(),
                  "+" + digits(12),
                  "-" + digits(12));
          yield (bool() ? "-" : "") + mantissa + pick("e", "E") + exponent;
        }
        default -> pick(NASTY_NUMBERS);
      };
    }

    /** Any JSON scalar: numbers, numbers in strings, strings (a few long ones), booleans, null. */
    public String scalar() {
      int r = random.nextInt(12);
      if (r < 4) {
        return number();
      } else if (r < 6) {
        return quote(number());
      } else if (r < 9) {
        return quote(string(40));
      } else if (r < 10) {
        return quote(printable(1_000));
      } else {
        return pick("true", "false", "null", "{}", "[]");
      }
    }

    /** Any JSON value up to two levels deep, scalars at the leaves; now and then deeply nested. */
    public String value() {
      if (oneIn(50)) {
        return nested(between(1, 1_200));
      }
      return value(random.nextInt(3));
    }

    private String value(int depth) {
      if (depth == 0) {
        return scalar();
      }
      return switch (random.nextInt(5)) {
        case 0 -> "[" + String.join(",", list(0, 3, () -> value(depth - 1))) + "]";
        case 1 ->
            object(
                list(0, 3, () -> string(0, 12, "abcdefghijklmnopqrstuvwxyz")),
                list(3, 3, () -> value(depth - 1)));
        default -> value(depth - 1);
      };
    }

    /** A valid value nested {@code depth} levels deep in arrays or objects. */
    public String nested(int depth) {
      boolean arrays = bool();
      String open = arrays ? "[" : "{\"a\":";
      String close = arrays ? "]" : "}";
      return open.repeat(depth) + scalar() + close.repeat(depth);
    }

    /**
     * One mutation: a deletion, insertion or replacement (of a token from {@link #TOKENS}, {@link
     * #NASTY_NUMBERS}, {@code extraTokens}, or a few random characters or bytes), a truncation, a
     * duplicated segment or a flipped bit, anywhere.
     */
    public Mutation mutation(String... extraTokens) {
      String token =
          switch (random.nextInt(5)) {
            case 0 -> pick(TOKENS);
            case 1 -> pick(NASTY_NUMBERS);
            case 2 -> extraTokens.length == 0 ? pick(TOKENS) : pick(extraTokens);
            case 3 -> string(0, 3);
            default -> string(1, 8, LATIN1);
          };
      Mutation.Kind kind = pick(Mutation.Kind.values());
      int length = oneIn(10) ? between(20, 400) : between(0, 20);
      return new Mutation(
          kind, random.nextInt(Integer.MAX_VALUE), length, token, random.nextInt(16));
    }

    /** One to four mutations. */
    public List<Mutation> mutations(String... extraTokens) {
      return list(1, 4, () -> mutation(extraTokens));
    }

    private static final String LATIN1 = latin1();

    private static String latin1() {
      char[] c = new char[256];
      for (int i = 0; i < c.length; i++) {
        c[i] = (char) i;
      }
      return new String(c);
    }
  }
}
