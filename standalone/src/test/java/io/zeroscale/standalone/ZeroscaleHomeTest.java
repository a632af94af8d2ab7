package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
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
    assertThat(home.instancesDir()).isEqualTo(dir.resolve("instances"));
    assertThat(home.postgresPasswordFile()).isEqualTo(dir.resolve("postgres-password"));
    assertThat(home.redisPasswordFile()).isEqualTo(dir.resolve("redis-password"));
  }

  @Test
  void aNewHomeAndItsInstancesFolderAreOwnerOnly() throws Exception {
    Path root = dir.resolve("parent/home");
    new ZeroscaleHome(root).prepare();
    assertThat(mode(root)).isEqualTo("rwx------");
    assertThat(mode(root.resolve("instances"))).isEqualTo("rwx------");
    assertThat(root.resolve("postgres")).as("the embedded servers create theirs").doesNotExist();
    assertThat(root.resolve("redis")).doesNotExist();
  }

  @Test
  void anOlderHomeIsTightenedAtStart() throws Exception {
    // What versions before issue #16 left: folders 0755, key files 0644 (umask 022).
    Path root = dir.resolve("old");
    for (String sub : new String[] {"", "instances", "redis", "postgres"}) {
      Files.createDirectories(root.resolve(sub));
      Files.setPosixFilePermissions(
          root.resolve(sub), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    for (String name : new String[] {"secret-key", "admin-key", "demo-api-key"}) {
      Files.writeString(root.resolve(name), "value\n");
      Files.setPosixFilePermissions(
          root.resolve(name), PosixFilePermissions.fromString("rw-r--r--"));
    }
    Files.writeString(root.resolve("notes.txt"), "not ours\n");
    Files.setPosixFilePermissions(
        root.resolve("notes.txt"), PosixFilePermissions.fromString("rw-r--r--"));

    new ZeroscaleHome(root).prepare();

    for (String sub : new String[] {"", "instances", "redis", "postgres"}) {
      assertThat(mode(root.resolve(sub))).as(sub).isEqualTo("rwx------");
    }
    for (String name : new String[] {"secret-key", "admin-key", "demo-api-key"}) {
      assertThat(mode(root.resolve(name))).as(name).isEqualTo("rw-------");
    }
    assertThat(mode(root.resolve("notes.txt")))
        .as("unknown files are left alone")
        .isEqualTo("rw-r--r--");
  }

  @Test
  void readingALooseSecretTightensIt() throws Exception {
    Files.writeString(dir.resolve("redis-password"), "abc\n");
    Files.setPosixFilePermissions(
        dir.resolve("redis-password"), PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThat(new ZeroscaleHome(dir).existingSecret("redis-password")).contains("abc");
    assertThat(mode(dir.resolve("redis-password"))).isEqualTo("rw-------");
    assertThat(new ZeroscaleHome(dir).existingSecret("postgres-password")).isEmpty();
  }

  @Test
  void passwordsAre192RandomBitsInHex() {
    SecureRandom random = new SecureRandom();
    String a = ZeroscaleHome.newPassword(random);
    String b = ZeroscaleHome.newPassword(random);
    assertThat(a).matches("[0-9a-f]{48}").isNotEqualTo(b);
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
