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
