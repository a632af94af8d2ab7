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
