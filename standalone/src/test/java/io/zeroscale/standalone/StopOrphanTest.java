package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StopOrphanTest {

  @TempDir Path dir;

  @Test
  void stopsALiveProcessWhoseCommandMatches() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "60").start();
    Path pidFile = dir.resolve("x.pid");
    Files.writeString(pidFile, sleeper.pid() + "\n");
    EmbeddedInfrastructure.stopOrphan(pidFile, "sleep");
    assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void neverStopsAProcessWithAnotherCommand() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "60").start();
    try {
      Path pidFile = dir.resolve("x.pid");
      Files.writeString(pidFile, sleeper.pid() + "\n");
      EmbeddedInfrastructure.stopOrphan(pidFile, "postgres");
      assertThat(sleeper.isAlive()).isTrue();
    } finally {
      sleeper.destroyForcibly();
    }
  }

  @Test
  void ignoresMissingOrGarbledPidFiles() throws Exception {
    EmbeddedInfrastructure.stopOrphan(dir.resolve("none.pid"), "redis");
    Path garbled = dir.resolve("g.pid");
    Files.writeString(garbled, "not a pid\n");
    EmbeddedInfrastructure.stopOrphan(garbled, "redis");
    assertThat(garbled).doesNotExist();
  }
}
