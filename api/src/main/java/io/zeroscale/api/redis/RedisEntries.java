package io.zeroscale.api.redis;

import java.util.Map;
import java.util.function.BiConsumer;

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
}
