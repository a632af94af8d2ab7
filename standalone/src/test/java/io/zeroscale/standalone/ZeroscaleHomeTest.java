package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
  void aHomeOwnedBySomeoneElseKeepsItsModeButWhatWeCreateIsOwnerOnly() throws Exception {
    // A container volume: Jib's /var/lib/zeroscale or an emptyDir, root's and 0777, we are uid
    // 1000.
    Path root = dir.resolve("volume");
    Files.createDirectory(root);
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
    List<Path> asked = new ArrayList<>();
    ZeroscaleHome.Owners rootOwnsTheVolume =
        path -> {
          asked.add(path);
          return path.equals(root) ? Optional.of("uid 0") : Optional.empty();
        };
    ZeroscaleHome home = new ZeroscaleHome(root, rootOwnsTheVolume);

    home.prepare();
    String key = home.secret("admin-key", () -> "generated");
    home.prepare();

    assertThat(mode(root)).as("not ours: no chmod attempted").isEqualTo("rwxrwxrwx");
    assertThat(asked).contains(root);
    assertThat(mode(root.resolve("instances"))).isEqualTo("rwx------");
    assertThat(key).isEqualTo("generated");
    assertThat(mode(root.resolve("admin-key"))).isEqualTo("rw-------");
    assertThat(home.existingSecret("admin-key")).contains("generated");
  }

  @Test
  void foldersAndSecretsInsideThatSomeoneElseOwnsKeepTheirModes() throws Exception {
    Path root = dir.resolve("mixed");
    for (String sub : new String[] {"", "instances", "redis"}) {
      Files.createDirectories(root.resolve(sub));
      Files.setPosixFilePermissions(
          root.resolve(sub), PosixFilePermissions.fromString("rwxrwxrwx"));
    }
    Files.writeString(root.resolve("secret-key"), "provided\n");
    Files.setPosixFilePermissions(
        root.resolve("secret-key"), PosixFilePermissions.fromString("rw-r--r--"));
    Files.writeString(root.resolve("admin-key"), "ours\n");
    Files.setPosixFilePermissions(
        root.resolve("admin-key"), PosixFilePermissions.fromString("rw-r--r--"));
    List<Path> foreign = List.of(root.resolve("redis"), root.resolve("secret-key"));
    ZeroscaleHome home =
        new ZeroscaleHome(
            root, path -> foreign.contains(path) ? Optional.of("uid 0") : Optional.empty());

    home.prepare();
    home.ensurePrivateDir(home.redisDir());

    assertThat(mode(root)).isEqualTo("rwx------");
    assertThat(mode(root.resolve("instances"))).isEqualTo("rwx------");
    assertThat(mode(root.resolve("redis"))).isEqualTo("rwxrwxrwx");
    assertThat(mode(root.resolve("admin-key"))).isEqualTo("rw-------");
    assertThat(home.existingSecret("secret-key")).contains("provided");
    assertThat(mode(root.resolve("secret-key"))).isEqualTo("rw-r--r--");
  }

  @Test
  void aHomeWeOwnIsTightenedAndAnAlreadyPrivateOneIsNotEvenAsked() throws Exception {
    Path root = dir.resolve("ours");
    Files.createDirectory(root);
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
    List<Path> asked = new ArrayList<>();
    ZeroscaleHome home =
        new ZeroscaleHome(
            root,
            path -> {
              asked.add(path);
              return Optional.empty();
            });

    home.prepare();
    assertThat(mode(root)).isEqualTo("rwx------");
    assertThat(asked).containsExactly(root);

    asked.clear();
    home.prepare();
    assertThat(asked).as("nothing to change, nothing to check").isEmpty();
  }

  @Test
  void theProcessUserOwnsWhatItCreates() throws Exception {
    Path mine = Files.createDirectory(dir.resolve("mine"));
    assertThat(ZeroscaleHome.Owners.PROCESS_USER.foreignOwner(mine)).isEmpty();
    assertThat(new ZeroscaleHome(mine).owners()).isSameAs(ZeroscaleHome.Owners.PROCESS_USER);
  }

  @Test
  void theProcessUserSeesAnotherUsersFolderAsForeign() throws Exception {
    Path other = Files.createDirectory(dir.resolve("other"));
    long ownUid = ((Number) Files.getAttribute(other, "unix:uid")).longValue();
    if (ownUid == 0) {
      // Running as root (a CI container): give the folder away, as a volume would be someone
      // else's.
      Files.setAttribute(other, "unix:uid", 1000);
    } else {
      other = Path.of("/"); // root's, and we are not root
    }
    long otherUid = ((Number) Files.getAttribute(other, "unix:uid")).longValue();
    assertThat(ZeroscaleHome.Owners.PROCESS_USER.foreignOwner(other)).contains("uid " + otherUid);
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
