package bench;

import static bench.Processes.jcmd;
import static bench.Util.map;
import static bench.Util.round1;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A JVM's memory after two full GCs (jcmd), its threads and RSS (/proc). */
record Mem(long heapUsedKib, long heapCommittedKib, int threads, long rssKib) {
  static Mem of(long pid) throws Exception {
    jcmd(pid, "GC.run");
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m =
        Pattern.compile("total (?:reserved \\d+K, committed )?(\\d+)K, used (\\d+)K").matcher(info);
    long committed = -1;
    long used = -1;
    if (m.find()) {
      committed = Long.parseLong(m.group(1));
      used = Long.parseLong(m.group(2));
    }
    String status = Files.readString(Path.of("/proc/" + pid + "/status"));
    int threads = Integer.parseInt(field(status, "Threads"));
    long rss = Long.parseLong(field(status, "VmRSS").replace("kB", "").trim());
    return new Mem(used, committed, threads, rss);
  }

  static String field(String status, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + ":\\s*(.+)$").matcher(status);
    return m.find() ? m.group(1).trim() : "-1";
  }

  Map<String, Object> toMap() {
    return map(
        "heap_used_mib", round1(heapUsedKib / 1024.0),
        "heap_committed_mib", round1(heapCommittedKib / 1024.0),
        "threads", threads,
        "rss_mib", round1(rssKib / 1024.0));
  }

  @Override
  public String toString() {
    return toMap().toString();
  }
}
