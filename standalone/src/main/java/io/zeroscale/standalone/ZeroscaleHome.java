package io.zeroscale.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone app's data folder ({@code ZEROSCALE_HOME}, default {@code ./.zeroscale}):
 * PostgreSQL's data, Redis's working folder, the instances' state, and the generated keys and
 * passwords, so that a second start finds the same data and prints the same keys.
 *
 * <p>Everything in it is its owner's only: the folder and its sub-folders 0700, every secret file
 * 0600, set when created and tightened at every start for a home that an older version left with
 * looser modes (0755 folders, 0644 files). Other local users, and the instances if they run as
 * another user, can read none of it.
 *
 * <p>Only a path's owner may change its mode, so a home (or anything in it) that belongs to another
 * user is left as it is, with one log line: a container volume such as Jib's {@code
 * /var/lib/zeroscale} or a Kubernetes emptyDir is root's, mode 0777 (2777 with an fsGroup), while
 * the app runs as uid 1000. What the app creates in it is its own and still 0700 or 0600.
 *
 * @param owners who owns a path; {@link Owners#PROCESS_USER} but in tests
 */
public record ZeroscaleHome(Path root, Owners owners) {

  private static final Logger log = LoggerFactory.getLogger(ZeroscaleHome.class);

  /** The not-owned paths already logged, so that each start says it once. */
  private static final Set<Path> LOGGED_FOREIGN = ConcurrentHashMap.newKeySet();

  /** Owner read, write and search: folders. */
  static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

  /** Owner read and write: secret files. */
  static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

  /** The files this home may hold secrets in (the keys, the embedded servers' passwords). */
  static final List<String> SECRET_FILES =
      List.of("admin-key", "demo-api-key", "secret-key", "postgres-password", "redis-password");

  public ZeroscaleHome {
    root = root.toAbsolutePath().normalize();
  }

  /** The home at {@code root}, as the running user sees it. */
  public ZeroscaleHome(Path root) {
    this(root, Owners.PROCESS_USER);
  }

  /** Who owns a path, as far as changing its mode goes. */
  @FunctionalInterface
  public interface Owners {

    /**
     * The owner of {@code path} (e.g. {@code "uid 0"}) if it is not the running user, empty if it
     * is: then the process may change its mode.
     */
    Optional<String> foreignOwner(Path path) throws IOException;

    /** The running process's user: compares the path's uid with the process's real uid. */
    Owners PROCESS_USER = ZeroscaleHome::foreignOwnerOf;
  }

  private static Optional<String> foreignOwnerOf(Path path) throws IOException {
    long uid;
    try {
      uid = ((Number) Files.getAttribute(path, "unix:uid")).longValue();
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      // No "unix" view: compare owner names (POSIX modes need the "unix" view's file systems
      // anyway).
      String owner = Files.getOwner(path).getName();
      return owner.equals(System.getProperty("user.name"))
          ? Optional.empty()
          : Optional.of("user " + owner);
    }
    Long processUid = ProcessUid.VALUE;
    return processUid == null || processUid == uid ? Optional.empty() : Optional.of("uid " + uid);
  }

  /**
   * The process's uid, read once; null where it cannot be known (then every path counts as ours).
   */
  private static final class ProcessUid {
    static final Long VALUE = read();

    private static Long read() {
      try {
        return new com.sun.security.auth.module.UnixSystem().getUid();
      } catch (LinkageError | RuntimeException e) {
        return null;
      }
    }
  }

  public Path postgresData() {
    return root.resolve("postgres");
  }

  public Path redisDir() {
    return root.resolve("redis");
  }

  /** The process runtime's instance state and logs (the activator's default state dir). */
  public Path instancesDir() {
    return root.resolve("instances");
  }

  public Path postgresPasswordFile() {
    return root.resolve("postgres-password");
  }

  public Path redisPasswordFile() {
    return root.resolve("redis-password");
  }

  /**
   * Creates the home (0700) or tightens an existing one: the folder itself, the instances folder
   * (created here 0700, so that the activator finds it private), PostgreSQL's and Redis's folders
   * if they exist (0700; the embedded servers create them), and the secret files (0600). A folder
   * or file that belongs to another user (a container volume) keeps its mode, with one log line.
   * Answers this home.
   */
  public ZeroscaleHome prepare() {
    try {
      ensurePrivateDir(root);
      ensurePrivateDir(instancesDir());
      for (Path dir : List.of(postgresData(), redisDir())) {
        if (Files.isDirectory(dir)) {
          ensurePrivateDir(dir);
        }
      }
      for (String name : SECRET_FILES) {
        Path file = root.resolve(name);
        if (Files.isRegularFile(file)) {
          restrict(file, OWNER_FILE);
        }
      }
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create or protect " + root, e);
    }
  }

  /**
   * Creates {@code dir} with mode 0700 (its parents as the umask says), or sets 0700 on it if it is
   * ours; one that another user owns is left as it is.
   */
  void ensurePrivateDir(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      restrict(dir, OWNER_DIR);
      return;
    }
    if (dir.getParent() != null) {
      Files.createDirectories(dir.getParent());
    }
    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
  }

  /**
   * A secret kept in a file readable only by its owner: read it if present (and make it 0600 if an
   * older version left it looser), otherwise create it with {@code generator} and write it.
   */
  public String secret(String fileName, Supplier<String> generator) {
    return existingSecret(fileName).orElseGet(() -> writeSecret(fileName, generator.get()));
  }

  /** The secret in {@code fileName}, if the file exists and is not empty. */
  public Optional<String> existingSecret(String fileName) {
    Path file = root.resolve(fileName);
    try {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      String value = Files.readString(file).strip();
      if (value.isEmpty()) {
        return Optional.empty();
      }
      restrict(file, OWNER_FILE);
      return Optional.of(value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Sets {@code mode} on {@code path} if it differs and the path is ours; a path that another user
   * owns cannot be chmod-ed by us, so it keeps its mode and is logged once.
   */
  private void restrict(Path path, Set<PosixFilePermission> mode) throws IOException {
    Set<PosixFilePermission> current = Files.getPosixFilePermissions(path);
    if (current.equals(mode)) {
      return;
    }
    Optional<String> foreign = owners.foreignOwner(path);
    if (foreign.isPresent()) {
      if (LOGGED_FOREIGN.add(path)) {
        log.info(
            "{} belongs to {}, not to this process's user: its mode {} is left as is (what"
                + " this process creates is still owner-only)",
            path,
            foreign.get(),
            PosixFilePermissions.toString(current));
      }
      return;
    }
    Files.setPosixFilePermissions(path, mode);
  }

  private String writeSecret(String fileName, String value) {
    Path file = root.resolve(fileName);
    try {
      ensurePrivateDir(root);
      Files.deleteIfExists(file);
      // Created 0600 before the first byte is written: never readable by others, not even briefly.
      FileAttribute<Set<PosixFilePermission>> ownerOnly =
          PosixFilePermissions.asFileAttribute(OWNER_FILE);
      Files.createFile(file, ownerOnly);
      Files.writeString(file, value + "\n");
      return value;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * A new password for an embedded server: 192 random bits as 48 hex digits, so that it needs no
   * quoting in SQL, a Redis configuration line or a URL.
   */
  static String newPassword(SecureRandom random) {
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
