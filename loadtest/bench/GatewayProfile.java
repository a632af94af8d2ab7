package bench;

import static bench.Processes.jcmd;
import static bench.Util.log;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Phase 2: one more gateway round per mode at the highest client count under JFR, not counted; the
 * execution samples are aggregated by {@link Jfr}.
 */
final class GatewayProfile implements Scenario {
  private final Run run;
  private final Gateway gw;
  private final Target viaGw;

  GatewayProfile(Run run, Gateway gw, Target viaGw) {
    this.run = run;
    this.gw = gw;
    this.viaGw = viaGw;
  }

  @Override
  public Map<String, Object> run() throws Exception {
    int[] levels = run.options.levels;
    int clients = levels[levels.length - 1];
    Map<String, Object> out = new LinkedHashMap<>();
    for (Mode m : Mode.values()) {
      Path jfr = run.work.resolve("gateway-" + m.label + "-" + clients + ".jfr");
      log(
          "profiling the gateway with JFR at "
              + clients
              + " clients, "
              + m.label
              + " (not counted)");
      // jdk.CPUTimeSample (JDK 25, Linux): samples by CPU time, native frames included, so time
      // spent writing to sockets counts too; jdk.ExecutionSample only sees threads in Java code.
      jcmd(
          gw.pid(),
          "JFR.start",
          "name=bench",
          "settings=profile",
          "jdk.CPUTimeSample#enabled=true",
          "jdk.CPUTimeSample#throttle=2ms",
          "filename=" + jfr);
      RoundResult rr =
          Load.round(run, viaGw, m, clients, Duration.ofSeconds(2), run.options.measure);
      jcmd(gw.pid(), "JFR.stop", "name=bench");
      log("profile round " + rr.brief());
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("file", run.root.relativize(jfr).toString());
      p.put("clients", clients);
      p.put("requests", rr.latency.size());
      p.putAll(Jfr.analyze(jfr));
      out.put(m.label, p);
    }
    return out;
  }
}
