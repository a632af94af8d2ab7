package io.zeroscale.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The standalone app's data folder ({@code ZEROSCALE_HOME}, default {@code ./.zeroscale}):
 * PostgreSQL's data, Redis's working folder, and the generated admin and demo keys, so that a
 * second start finds the same data and prints the same keys.
 */
public record ZeroscaleHome(Path root) {

  public ZeroscaleHome {
    root = root.toAbsolutePath().normalize();
  }

  public Path postgresData() {
    return root.resolve("postgres");
  }

  public Path redisDir() {
    return root.resolve("redis");
  }

  /**
   * A secret kept in a file readable only by its owner: read it if present, otherwise create it
   * with {@code generator} and write it.
   */
  public String secret(String fileName, Supplier<String> generator) {
    Path file = root.resolve(fileName);
    try {
      Optional<String> existing =
          Files.exists(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
      if (existing.isPresent() && !existing.get().isEmpty()) {
        return existing.get();
      }
      Files.createDirectories(root);
      String value = generator.get();
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, value + "\n");
      return value;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
  }
}
