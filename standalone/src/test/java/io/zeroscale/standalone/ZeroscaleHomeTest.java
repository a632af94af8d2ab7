package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZeroscaleHomeTest {

  @TempDir Path dir;

  @Test
  void aSecretIsGeneratedOnceThenReadBackOwnerOnly() throws Exception {
    ZeroscaleHome home = new ZeroscaleHome(dir.resolve("home"));
    AtomicInteger generated = new AtomicInteger();
    String first = home.secret("demo-api-key", () -> "secret-" + generated.incrementAndGet());
    String second = home.secret("demo-api-key", () -> "secret-" + generated.incrementAndGet());
    assertThat(first).isEqualTo("secret-1").isEqualTo(second);
    assertThat(generated).hasValue(1);
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("home/demo-api-key"))))
        .isEqualTo("rw-------");
  }

  @Test
  void anEmptySecretFileIsReplaced() throws Exception {
    Files.writeString(dir.resolve("admin-key"), "\n");
    assertThat(new ZeroscaleHome(dir).secret("admin-key", () -> "fresh")).isEqualTo("fresh");
  }

  @Test
  void layoutIsUnderTheRoot() {
    ZeroscaleHome home = new ZeroscaleHome(dir);
    assertThat(home.postgresData()).isEqualTo(dir.resolve("postgres"));
    assertThat(home.redisDir()).isEqualTo(dir.resolve("redis"));
  }
}
