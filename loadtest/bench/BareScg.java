package bench;

import static bench.Processes.freePort;
import static bench.Util.log;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The framework floor of the CPU-bound scenario: {@code loadtest/bare-scg}'s jar, a Spring Cloud
 * Gateway app with the project's versions and one {@code Path=/v1/**} route to the simulator,
 * nothing else; started with the same (default) JVM options as the gateway.
 */
final class BareScg {
  static final Path JAR = Path.of("loadtest/bare-scg/target/bare-scg.jar");

  private BareScg() {}

  static Hop start(Run run, String upstreamHost, int upstreamPort, String engineKey)
      throws Exception {
    Path jar = run.root.resolve(JAR);
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          "missing "
              + jar
              + ": ./mvnw -q -f loadtest/bare-scg/pom.xml -DskipTests package (bench.sh does it)");
    }
    int port = freePort();
    Path logFile = run.work.resolve("bare-scg.log");
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            jar.toString(),
            "--server.port=" + port,
            "--bare-scg.upstream=http://" + upstreamHost + ":" + upstreamPort);
    log("starting the bare Spring Cloud Gateway on port " + port);
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile());
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    Process p = pb.start();
    run.children.add(p);
    Target t = new Target("bare_scg", "127.0.0.1", port, engineKey);
    CpuBound.awaitServing(t, p, logFile);
    return new Hop("bare_scg", t, p.pid(), "Spring Cloud Gateway, one route, same versions");
  }
}
