package io.zeroscale.gateway.model.s3;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The S3-compatible stand-in of the S3 tests: <a href="https://github.com/gaul/s3proxy">S3Proxy</a>
 * ({@code org.gaul:s3proxy}, its self-contained jar copied to {@code target/s3proxy/s3proxy.jar} by
 * the build) run as a child process over a filesystem blob store, with SigV4 authentication
 * required ({@link #ACCESS_KEY_ID} / {@link #SECRET_ACCESS_KEY}). Buckets are directories and
 * objects files under {@link #root()}, so a test lays a model out with plain file writes, and a
 * weights file of 13 GB is a sparse file of that length that the listing reports as such. The
 * filesystem store takes a world-readable directory or file for a public-read one, so every bucket
 * and object is made owner-only: anonymous requests are refused, as on a private bucket.
 */
public final class S3StandIn implements AutoCloseable {

  public static final String ACCESS_KEY_ID = "AKIASTANDIN0EXAMPLE7";
  public static final String SECRET_ACCESS_KEY = "standIn/Secret+Key0123456789abcdefEXAMPLE";

  /** Where the build puts the jar; a module's tests run in the module's directory. */
  public static final Path JAR = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();

  private final Process process;
  private final int port;
  private final Path root;
  private final Path log;

  private S3StandIn(Process process, int port, Path root, Path log) {
    this.process = process;
    this.port = port;
    this.root = root;
    this.log = log;
  }

  /**
   * Starts S3Proxy on a free loopback port, its blobs under {@code dir/blobs}, and waits for it.
   */
  public static S3StandIn start(Path dir) throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR + " is missing: the build's s3proxy copy did not run");
    }
    Path root = Files.createDirectories(dir.resolve("blobs"));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Properties p = new Properties();
    p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
    p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    p.setProperty("s3proxy.identity", ACCESS_KEY_ID);
    p.setProperty("s3proxy.credential", SECRET_ACCESS_KEY);
    p.setProperty("jclouds.provider", "filesystem");
    p.setProperty("jclouds.filesystem.basedir", root.toString());
    p.setProperty("jclouds.identity", "unused");
    p.setProperty("jclouds.credential", "unused");
    Path conf = dir.resolve("s3proxy.conf");
    try (var out = Files.newOutputStream(conf)) {
      p.store(out, "S3Proxy stand-in");
    }
    Path log = dir.resolve("s3proxy.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(
            List.of(java, "-Xmx256m", "-jar", JAR.toString(), "--properties", conf.toString()));
    Process process =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    S3StandIn standIn = new S3StandIn(process, port, root, log);
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .failFast("s3proxy exited", () -> !process.isAlive())
          .until(standIn::accepts);
    } catch (RuntimeException e) {
      standIn.close();
      throw new IllegalStateException("s3proxy did not start; its log:\n" + standIn.logText(), e);
    }
    return standIn;
  }

  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public Path root() {
    return root;
  }

  /** What S3Proxy logged so far (for a failure's message). */
  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Creates a private bucket (an owner-only directory). */
  public S3StandIn bucket(String bucket) throws IOException {
    privateDirs(root.resolve(bucket));
    return this;
  }

  private void privateDirs(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Path d = dir; d.startsWith(root) && !d.equals(root); d = d.getParent()) {
      Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private static void privateFile(Path file) throws IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  /** Writes an object. */
  public S3StandIn put(String bucket, String key, String content) throws IOException {
    Path file = root.resolve(bucket).resolve(key);
    privateDirs(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
    privateFile(file);
    return this;
  }

  /** Writes an object of {@code size} bytes without filling it (a sparse file). */
  public S3StandIn putSized(String bucket, String key, long size) throws IOException {
    Path file = root.resolve(bucket).resolve(key);
    privateDirs(file.getParent());
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
    }
    privateFile(file);
    return this;
  }

  /**
   * Lays out a model under {@code bucket/prefix}: its {@code config.json}, its shards (named like
   * transformers' {@code model-0000i-of-0000n.safetensors}) and, when {@code indexTotal} is not
   * null, a {@code model.safetensors.index.json} with that {@code metadata.total_size}.
   */
  public S3StandIn model(
      String bucket,
      String prefix,
      String architecture,
      String modelType,
      List<Long> shards,
      Long indexTotal)
      throws IOException {
    bucket(bucket);
    put(
        bucket,
        prefix + "/config.json",
        "{\"architectures\":[\""
            + architecture
            + "\"],\"model_type\":\""
            + modelType
            + "\",\"torch_dtype\":\"float16\"}");
    for (int i = 0; i < shards.size(); i++) {
      String name =
          shards.size() == 1
              ? "model.safetensors"
              : String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
      putSized(bucket, prefix + "/" + name, shards.get(i));
    }
    if (indexTotal != null) {
      put(
          bucket,
          prefix + "/model.safetensors.index.json",
          "{\"metadata\":{\"total_size\":" + indexTotal + "},\"weight_map\":{}}");
    }
    return this;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
