package bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The command line (see loadtest/README.md), and the settings every phase shares. */
final class Options {

  // Simulator timing for every phase: an 8B-class model on one A100 (TTFT 50 ms, 10 ms per
  // token). Non-stream requests ask for 16 tokens: 50 + 15 x 10 = 200 ms per request, so 200
  // closed-loop clients offer about 1 000 requests per second.
  static final String TTFT = "50ms";
  static final String ITL = "10ms";
  static final int MAX_TOKENS = 16;
  // The CPU-bound scenario (issue #14, CpuBound): requests of about 10 ms (TTFT 10 ms, no delay
  // between tokens), so 50 closed-loop clients offer about 5 000 requests per second and every
  // proxy is limited by its CPU, not by the simulated model.
  static final String CPU_TTFT = "10ms";
  static final String CPU_ITL = "0ms";
  static final String ADMIN_KEY = "zs-bench-admin-key-0123456789abcdef";

  boolean smoke;
  boolean writeDocs = true;
  boolean profile = true;
  String note = "";
  int rounds = 3;
  Duration warmup = Duration.ofSeconds(2);
  Duration measure = Duration.ofSeconds(8);
  Duration jitWarmup = Duration.ofSeconds(5);
  int[] levels = {1, 50, 200};
  int coldStarts = 5;
  int heldRequests = 10_000;
  int heldDeployments = 10;
  Duration heldBoot = Duration.ofSeconds(90);
  String phases = "warm,profile,cold,held,cpu";

  /** CpuBound: client counts, rounds, seconds measured per round. */
  int[] cpuLevels = {50, 200};

  int cpuRounds = 1;
  Duration cpuMeasure = Duration.ofSeconds(8);

  /** CpuBound: seconds of load before measuring, per JVM proxy (half non-stream, half stream). */
  Duration cpuWarmup = Duration.ofSeconds(40);

  /** CpuBound: the warm-up curve of a cold gateway, {@code curveWindows} windows of this. */
  Duration curveWindow = Duration.ofSeconds(8);

  int curveWindows = 6;

  /** The standalone jar measured as "the gateway" ({@code --gateway-jar}: A/B of two builds). */
  Path gatewayJar = Path.of("standalone/target/zeroscale.jar");

  /** Extra arguments for the gateway of the warm path (A/B runs of a setting). */
  final List<String> gatewayArgs = new ArrayList<>();

  /** {@code --report FILE}: re-render docs/ from a results file instead of running. */
  Path report;

  /** {@code --analyze FILE}: print the profile tables of a JFR file instead of running. */
  Path analyze;

  /**
   * Reads the arguments in order; {@code --report} and {@code --analyze} end the reading (what
   * follows them is ignored), as they replace the run.
   */
  static Options parse(String[] args) {
    Options o = new Options();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--smoke" -> o.smoke();
        case "--no-docs" -> o.writeDocs = false;
        case "--jit-warmup" -> o.jitWarmup = Duration.ofSeconds(Long.parseLong(args[++i]));
        case "--no-profile" -> o.profile = false;
        case "--note" -> o.note = args[++i];
        case "--rounds" -> o.rounds = Integer.parseInt(args[++i]);
        case "--seconds" -> o.measure = Duration.ofSeconds(Long.parseLong(args[++i]));
        case "--levels" -> o.levels = ints(args[++i]);
        case "--held" -> o.heldRequests = Integer.parseInt(args[++i]);
        case "--phases" -> o.phases = args[++i];
        case "--gateway-arg" -> o.gatewayArgs.add(args[++i]);
        case "--gateway-jar" -> o.gatewayJar = Path.of(args[++i]);
        case "--cpu-levels" -> o.cpuLevels = ints(args[++i]);
        case "--cpu-rounds" -> o.cpuRounds = Integer.parseInt(args[++i]);
        case "--cpu-seconds" -> o.cpuMeasure = Duration.ofSeconds(Long.parseLong(args[++i]));
        case "--cpu-warmup" -> o.cpuWarmup = Duration.ofSeconds(Long.parseLong(args[++i]));
        case "--curve-windows" -> o.curveWindows = Integer.parseInt(args[++i]);
        case "--curve-seconds" -> o.curveWindow = Duration.ofSeconds(Long.parseLong(args[++i]));
        case "--report" -> {
          // Re-renders docs/ from a results file (e.g. after editing the report's layout).
          o.report = Path.of(args[++i]);
          return o;
        }
        case "--analyze" -> {
          o.analyze = Path.of(args[++i]);
          return o;
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    return o;
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private void smoke() {
    smoke = true;
    writeDocs = false;
    profile = false;
    rounds = 1;
    warmup = Duration.ofSeconds(1);
    measure = Duration.ofSeconds(2);
    levels = new int[] {1, 20};
    coldStarts = 1;
    heldRequests = 200;
    heldDeployments = 2;
    heldBoot = Duration.ofSeconds(8);
    cpuLevels = new int[] {20};
    cpuMeasure = Duration.ofSeconds(2);
    cpuWarmup = Duration.ofSeconds(2);
    curveWindow = Duration.ofSeconds(2);
    curveWindows = 2;
  }

  boolean runs(String phase) {
    return phases.contains(phase);
  }
}
