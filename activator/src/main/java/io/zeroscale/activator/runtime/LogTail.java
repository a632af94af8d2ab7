package io.zeroscale.activator.runtime;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The last lines of a text, reading at most a bounded number of bytes from its end. */
public final class LogTail {

  private LogTail() {}

  /**
   * The last {@code lines} lines of a file, reading at most {@code maxBytes} from its end (a first
   * line cut by that bound is dropped); empty for a missing file.
   */
  public static List<String> of(Path file, int lines, int maxBytes) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long length = f.length();
      long start = Math.max(0, length - maxBytes);
      byte[] bytes = new byte[(int) (length - start)];
      f.seek(start);
      f.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      return last(text, lines, start > 0);
    }
  }

  /**
   * Bounds a log that a process appends to: once it is over {@code maxBytes}, it is rewritten with
   * only its last {@code keepBytes} (the writer's file is opened for appending, so its next lines
   * land after what is kept; lines written during the rewrite may be lost). Answers whether it cut.
   */
  public static boolean bound(Path file, long maxBytes, int keepBytes) throws IOException {
    if (!Files.exists(file) || Files.size(file) <= maxBytes) {
      return false;
    }
    byte[] tail;
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long length = f.length();
      tail = new byte[(int) Math.min(length, keepBytes)];
      f.seek(length - tail.length);
      f.readFully(tail);
      f.setLength(0);
      f.write(tail);
    }
    return true;
  }

  /** The last {@code lines} non-empty-terminated lines of a text; {@code cut}: drop the first. */
  public static List<String> last(String text, int lines, boolean cut) {
    List<String> all = new ArrayList<>(Arrays.asList(text.split("\r?\n", -1)));
    if (!all.isEmpty() && all.getLast().isEmpty()) {
      all.removeLast();
    }
    if (cut && !all.isEmpty()) {
      all.removeFirst();
    }
    return List.copyOf(all.subList(Math.max(0, all.size() - lines), all.size()));
  }
}
