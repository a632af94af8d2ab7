package bench;

import static bench.Util.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** One run of the harness: its options, its directories, its child processes. */
final class Run {
  final Options options;
  final Path root;
  final Path work;
  final List<Process> children = new ArrayList<>();

  /** The processes whose CPU time and run-queue wait are read around every round. */
  long gatewayPid = -1;

  long simPid = -1;

  private Run(Options options, Path root, Path work) {
    this.options = options;
    this.root = root;
    this.work = work;
  }

  /** Checks the jars, makes {@code loadtest/results/<stamp>/}, kills the children on exit. */
  static Run start(Options options) throws IOException {
    Path root = Path.of("").toAbsolutePath();
    Path gatewayJar = root.resolve(options.gatewayJar);
    if (!Files.exists(gatewayJar)) {
      throw new IllegalStateException("missing " + gatewayJar + ": build the jars first");
    }
    String stamp =
        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    Path work = root.resolve("loadtest/results/" + stamp + (options.smoke ? "-smoke" : ""));
    Files.createDirectories(work);
    Run run = new Run(options, root, work);
    Runtime.getRuntime().addShutdownHook(new Thread(run::killChildren));
    log("work dir " + root.relativize(work) + (options.smoke ? " (smoke)" : ""));
    return run;
  }

  void killChildren() {
    for (Process p : children) {
      if (p.isAlive()) {
        p.destroy();
      }
    }
  }
}
