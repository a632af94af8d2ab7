package io.zeroscale.gateway.observe;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The {@code x-request-id} of a data-plane request: the client's own when it is sane, so that a
 * client can correlate its logs with ours, otherwise one of ours.
 *
 * <p>Ours are {@code req_} + 24 base62 characters: 62^24 ≈ 2^143 values, so even 10^12 ids have a
 * collision chance below 10^-18. They only need to be unique, not secret, so {@link
 * ThreadLocalRandom} (no lock, no entropy pool; about 100 ns an id) is enough.
 */
public final class RequestIds {

  public static final String HEADER = "x-request-id";

  /** Longest client id kept: enough for a UUID (36) or a prefixed trace id, short for logs. */
  public static final int MAX_LENGTH = 128;

  static final String PREFIX = "req_";
  static final int RANDOM_CHARS = 24;

  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private RequestIds() {}

  /**
   * The client's id when it is 1 to {@value #MAX_LENGTH} characters of {@code [A-Za-z0-9._:-]}
   * (nothing that could break a log line or a header), else a new one.
   */
  public static String incomingOrNew(String headerValue) {
    return isSane(headerValue) ? headerValue : newId();
  }

  public static boolean isSane(String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == ':'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A new id such as {@code req_3kTMd92jFhQ0aZbX7yLw1nPq}. */
  public static String newId() {
    return newId(ThreadLocalRandom.current());
  }

  static String newId(RandomGenerator random) {
    char[] out = new char[PREFIX.length() + RANDOM_CHARS];
    PREFIX.getChars(0, PREFIX.length(), out, 0);
    for (int i = PREFIX.length(); i < out.length; i++) {
      out[i] = BASE62[random.nextInt(BASE62.length)];
    }
    return new String(out);
  }
}
