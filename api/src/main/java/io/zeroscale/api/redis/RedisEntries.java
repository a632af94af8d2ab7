package io.zeroscale.api.redis;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Reading every entry of a Redis hash (or a batch of string keys) as text, where one malformed
 * entry must not hide the others: each entry is read on its own, and one whose reading throws is
 * handed to {@code skipped} (to be logged) instead.
 */
public final class RedisEntries {

  private RedisEntries() {}

  /**
   * Calls {@code read} with every key and text of {@code entries}; an entry for which it throws a
   * {@link RuntimeException} goes to {@code skipped} with the exception, and the rest go on.
   */
  public static void forEach(
      Map<String, String> entries,
      BiConsumer<String, String> read,
      BiConsumer<String, RuntimeException> skipped) {
    entries.forEach(
        (key, text) -> {
          try {
            read.accept(key, text);
          } catch (RuntimeException e) {
            skipped.accept(key, e);
          }
        });
  }

  /**
   * The values {@code read} makes of the entries' texts, by key; a null value leaves its entry out,
   * and an entry for which {@code read} throws goes to {@code skipped}.
   */
  public static <V> Map<String, V> read(
      Map<String, String> entries,
      Function<String, V> read,
      BiConsumer<String, RuntimeException> skipped) {
    Map<String, V> out = new HashMap<>();
    forEach(
        entries,
        (key, text) -> {
          V value = read.apply(text);
          if (value != null) {
            out.put(key, value);
          }
        },
        skipped);
    return out;
  }
}
