package io.zeroscale.gateway.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The console's files, read once at start-up and served from memory: no file or jar I/O on an event
 * loop, and nothing outside this map can ever be served (a path is looked up, never resolved on a
 * file system, so {@code ..} or an encoded separator finds nothing). Each file carries a strong
 * ETag (the first 16 bytes of its SHA-256) so that browsers revalidate with a 304.
 */
public final class ConsoleAssets {

  /** One servable file. */
  public record Asset(byte[] bytes, String contentType, String etag) {}

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html;charset=utf-8",
          "js", "text/javascript;charset=utf-8",
          "css", "text/css;charset=utf-8",
          "json", "application/json",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon");

  private final Map<String, Asset> assets;

  private ConsoleAssets(Map<String, Asset> assets) {
    this.assets = Map.copyOf(assets);
  }

  /** A builder: {@code put} each file under the path it is served at (below {@code /console/}). */
  public static Builder builder() {
    return new Builder();
  }

  /** The file served at {@code path} (relative to {@code /console/}, no leading slash). */
  public Optional<Asset> find(String path) {
    return Optional.ofNullable(assets.get(path));
  }

  public int size() {
    return assets.size();
  }

  /** Collects files; refuses a type the console does not serve, so a stray file fails start-up. */
  public static final class Builder {
    private final Map<String, Asset> assets = new LinkedHashMap<>();

    private Builder() {}

    public Builder put(String path, byte[] bytes) {
      String type = contentType(path);
      if (type == null) {
        throw new IllegalArgumentException(
            "console file '" + path + "' has a type the console does not serve");
      }
      assets.put(path, new Asset(bytes.clone(), type, etag(bytes)));
      return this;
    }

    public Builder put(String path, InputStream in) {
      try (in) {
        return put(path, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read console file " + path, e);
      }
    }

    public ConsoleAssets build() {
      return new ConsoleAssets(assets);
    }
  }

  /** The {@code Content-Type} of a file by its extension, null for one the console never serves. */
  static String contentType(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? null : TYPES.get(path.substring(dot + 1));
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
