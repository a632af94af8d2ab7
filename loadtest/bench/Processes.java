package bench;

import static bench.Util.map;
import static bench.Util.round1;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Child processes and what Linux says about processes: jcmd, /proc readers, the machine. */
final class Processes {
  /** Clock ticks per second of /proc/PID/stat's times, read once ({@link #clockTicks}). */
  private static long clockTicks = 0;

  private Processes() {}

  static String jcmd(long pid, String... cmd) throws Exception {
    List<String> c = new ArrayList<>();
    c.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    c.add(Long.toString(pid));
    c.addAll(List.of(cmd));
    Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  /** Sum over a process's threads of {time on CPU, time runnable but waiting}, in ns. */
  static long[] schedstat(long pid) {
    long[] sum = {0, 0};
    if (pid <= 0) {
      return sum;
    }
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : tasks.toList()) {
        try {
          // JIT compiler threads are the JVM warming up, not the cost of a request.
          if (Files.readString(t.resolve("comm")).startsWith("C2 Compiler")
              || Files.readString(t.resolve("comm")).startsWith("C1 Compiler")) {
            continue;
          }
          String[] f = Files.readString(t.resolve("schedstat")).trim().split("\\s+");
          sum[0] += Long.parseLong(f[0]);
          sum[1] += Long.parseLong(f[1]);
        } catch (IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc: not Linux
    }
    return sum;
  }

  /**
   * CPU time of a whole process, every thread (JIT compilers and GC included, and threads that have
   * ended), in ns: utime + stime of /proc/PID/stat, in clock ticks (10 ms at the usual 100 Hz; an 8
   * s window of a proxy at 1 core is 800 ticks, so the error is below 0.2 %). 0 when unknown.
   */
  static long cpuNs(long pid) {
    if (pid <= 0) {
      return 0;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // The command name (field 2) may hold spaces: the fields after it start past the ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14, 15
      return ticks * 1_000_000_000L / clockTicks();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * On-CPU ns of a JVM's JIT compiler threads (schedstat), the part of {@link #cpuNs} that warms.
   */
  static long jitNs(long pid) {
    long sum = 0;
    if (pid <= 0) {
      return 0;
    }
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : tasks.toList()) {
        try {
          String comm = Files.readString(t.resolve("comm"));
          if (comm.startsWith("C2 Compiler") || comm.startsWith("C1 Compiler")) {
            sum += Long.parseLong(Files.readString(t.resolve("schedstat")).trim().split("\\s+")[0]);
          }
        } catch (IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc: not Linux
    }
    return sum;
  }

  /** {@code getconf CLK_TCK}, once (100 on every usual Linux). */
  static synchronized long clockTicks() {
    if (clockTicks == 0) {
      clockTicks = 100;
      try {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (p.waitFor() == 0) {
          clockTicks = Long.parseLong(out.trim());
        }
      } catch (IOException | RuntimeException | InterruptedException e) {
        // keep 100
      }
    }
    return clockTicks;
  }

  static List<String> cmdline(long pid) throws IOException {
    byte[] b = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < b.length; i++) {
      if (b[i] == 0) {
        out.add(new String(b, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    return out;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Map<String, Object> machine(Path root, String note) throws Exception {
    String cpu = "?";
    for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (l.startsWith("model name")) {
        cpu = l.substring(l.indexOf(':') + 1).trim();
        break;
      }
    }
    String mem = Mem.field(Files.readString(Path.of("/proc/meminfo")), "MemTotal");
    String commit = "?";
    try {
      Process p =
          new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
              .directory(root.toFile())
              .start();
      commit = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
    } catch (IOException e) {
      // no git
    }
    return map(
        "date",
        DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC).format(Instant.now()),
        "commit",
        commit,
        "cpus",
        Runtime.getRuntime().availableProcessors(),
        "cpu",
        cpu,
        "memory",
        round1(Long.parseLong(mem.replace("kB", "").trim()) / 1024.0 / 1024.0) + " GiB",
        "java",
        System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
        "note",
        note);
  }

  static String loadavg() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }
}
