package bench;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small helpers shared by every part of the harness: the log line, rounding, maps. */
final class Util {
  private Util() {}

  static void log(String s) {
    System.out.println(
        DateTimeFormatter.ISO_LOCAL_TIME
                .withZone(ZoneOffset.UTC)
                .format(Instant.now())
                .substring(0, 8)
            + " "
            + s);
  }

  static double ms(long ns) {
    return round3(ns / 1e6);
  }

  static double ms(double ns) {
    return round3(ns / 1e6);
  }

  static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
