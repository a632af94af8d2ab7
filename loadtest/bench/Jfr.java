package bench;

import static bench.Util.map;
import static bench.Util.round3;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/** The profile tables of a JFR file: CPU samples by thread, library, leaf and gateway method. */
final class Jfr {
  private final Map<String, Integer> self = new HashMap<>();
  private final Map<String, Integer> inclusive = new HashMap<>();
  private final Map<String, Integer> layers = new HashMap<>();
  private final Map<String, Integer> threads = new HashMap<>();
  private final Map<String, Integer> inclusiveLibs = new HashMap<>();
  private int samples;

  private Jfr() {}

  static Map<String, Object> analyze(Path jfr) throws IOException {
    List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
    String event =
        events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.CPUTimeSample"))
            ? "jdk.CPUTimeSample"
            : "jdk.ExecutionSample";
    Jfr j = new Jfr();
    for (RecordedEvent e : events) {
      if (e.getEventType().getName().equals(event) && e.getStackTrace() != null) {
        j.add(e);
      }
    }
    return map(
        "event", event,
        "samples", j.samples,
        "by_thread", top(j.threads, 10, j.samples),
        "top_self", top(j.self, 20, j.samples),
        "top_inclusive_gateway_code", top(j.inclusive, 20, j.samples),
        "by_top_layer", top(j.layers, 20, j.samples),
        "library_on_stack", top(j.inclusiveLibs, 20, j.samples));
  }

  private void add(RecordedEvent e) {
    String thread = "";
    try {
      thread =
          e.getThread("sampledThread") == null ? "" : e.getThread("sampledThread").getJavaName();
    } catch (IllegalArgumentException noSuchField) {
      thread = e.getThread() == null ? "" : e.getThread().getJavaName();
    }
    List<RecordedFrame> frames = e.getStackTrace().getFrames();
    if (frames.isEmpty()) {
      return;
    }
    samples++;
    self.merge(name(frames.get(0)), 1, Integer::sum);
    threads.merge(thread == null ? "?" : thread.replaceAll("-\\d+$", "-N"), 1, Integer::sum);
    String layer = stack(frames);
    layers.merge(
        layer == null
            ? "other (" + (thread == null ? "?" : thread.replaceAll("-\\d+$", "")) + ")"
            : layer,
        1,
        Integer::sum);
  }

  /** Counts the libraries and gateway methods on the stack once each; returns the leaf's layer. */
  private String stack(List<RecordedFrame> frames) {
    Set<String> seen = new HashSet<>();
    Set<String> libs = new HashSet<>();
    String layer = null;
    for (RecordedFrame f : frames) {
      String n = name(f);
      String lib = layerOf(n);
      if (lib != null && libs.add(lib)) {
        inclusiveLibs.merge(lib, 1, Integer::sum);
      }
      if (n.startsWith("io.zeroscale.") || n.startsWith("org.springframework.cloud.gateway.")) {
        if (seen.add(n)) {
          inclusive.merge(n, 1, Integer::sum);
        }
      }
      if (layer == null) {
        layer = layerOf(n);
      }
    }
    return layer;
  }

  /** The first frame's library, from the leaf: where the CPU was actually spent. */
  static String layerOf(String n) {
    String[][] prefixes = {
      {"io.zeroscale.", "zeroscale"},
      {"org.springframework.cloud.gateway.", "spring cloud gateway"},
      {"org.springframework.", "spring framework"},
      {"reactor.netty.", "reactor netty"},
      {"reactor.", "reactor core"},
      {"io.netty.", "netty"},
      {"tools.jackson.", "jackson"},
      {"com.fasterxml.jackson.", "jackson"},
      {"io.micrometer.", "micrometer"},
      {"io.opentelemetry.", "opentelemetry"},
      {"org.redisson.", "redisson"},
      {"sun.nio.", "jdk nio"},
      {"java.", "jdk"},
      {"jdk.", "jdk"},
      {"sun.", "jdk"},
    };
    for (String[] p : prefixes) {
      if (n.startsWith(p[0])) {
        return p[1];
      }
    }
    return null;
  }

  static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  static List<Object> top(Map<String, Integer> counts, int k, int total) {
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
        .limit(k)
        .map(
            en ->
                (Object)
                    map(
                        "frame",
                        en.getKey(),
                        "samples",
                        en.getValue(),
                        "share",
                        round3(en.getValue() / (double) total)))
        .toList();
  }
}
