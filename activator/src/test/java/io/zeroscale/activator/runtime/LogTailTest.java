package io.zeroscale.activator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {

  @Test
  void lastLinesOfAFile(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("i.log");
    assertThat(LogTail.of(log, 10, 1024)).isEmpty();
    Files.writeString(log, "one\ntwo\r\nthree\n");
    assertThat(LogTail.of(log, 10, 1024)).containsExactly("one", "two", "three");
    assertThat(LogTail.of(log, 2, 1024)).containsExactly("two", "three");
  }

  @Test
  void readsAtMostTheBoundAndDropsTheCutLine(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("i.log");
    Files.writeString(log, "x".repeat(5000) + "\nlast-but-one\nlast\n");
    // 20 bytes: "last-but-one\nlast\n" is 18, the cut rest of the long line is dropped
    assertThat(LogTail.of(log, 100, 20)).containsExactly("last-but-one", "last");
    assertThat(LogTail.last("a\nb", 5, false)).containsExactly("a", "b");
  }

  @Test
  void aLogOverItsBoundKeepsItsEnd(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("i.log");
    Files.writeString(log, "a".repeat(100) + "\nend\n");
    assertThat(LogTail.bound(log, 200, 10)).isFalse();
    assertThat(LogTail.bound(log, 50, 10)).isTrue();
    assertThat(Files.readString(log)).isEqualTo("aaaaa\nend\n");
    assertThat(LogTail.bound(dir.resolve("missing.log"), 1, 1)).isFalse();
  }
}
