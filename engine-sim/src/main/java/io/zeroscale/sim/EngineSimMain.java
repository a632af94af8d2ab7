package io.zeroscale.sim;

import io.zeroscale.sim.config.Durations;
import io.zeroscale.sim.config.ParseResult;
import io.zeroscale.sim.config.SimConfig;
import io.zeroscale.sim.config.SimConfigParser;
import io.zeroscale.sim.openai.Json;
import java.io.PrintStream;

/**
 * {@code java -jar engine-sim.jar --port=9100 --served-model-name=m ...}: exit code 2 on a bad
 * command line, 1 on a simulated crash (including a boot failure of {@code --fail-boot-for-models})
 * or a bind failure, 0 after a SIGTERM drain.
 */
public final class EngineSimMain {

  private EngineSimMain() {}

  public static void main(String[] args) {
    switch (SimConfigParser.parse(args)) {
      case ParseResult.Help help -> System.out.print(help.usage());
      case ParseResult.Invalid invalid -> {
        System.err.println("engine-sim: " + invalid.message());
        System.err.println("engine-sim: run with --help to list the flags");
        System.exit(2);
      }
      case ParseResult.Ok ok -> run(ok.config());
    }
  }

  private static void run(SimConfig config) {
    EngineSim sim;
    try {
      sim = EngineSim.start(config, new ConsoleHooks(config, System.out, System.err));
    } catch (RuntimeException e) {
      System.err.println(
          "engine-sim: cannot listen on "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println(
                      "engine-sim draining (up to "
                          + Durations.format(config.drainTimeout())
                          + ")");
                  sim.drain(config.drainTimeout());
                  System.out.println("engine-sim stopped");
                  System.out.flush();
                  // SIGTERM would otherwise exit 143; a drained engine stopping is a success.
                  Runtime.getRuntime().halt(0);
                },
                "engine-sim-shutdown"));
    sim.awaitDisposal();
  }

  /** Prints the lifecycle lines process runtimes and tests wait for; halts on a crash. */
  record ConsoleHooks(SimConfig config, PrintStream out, PrintStream err)
      implements EngineSim.Hooks {

    @Override
    public void listening(String host, int port) {
      out.println(
          "engine-sim listening on http://"
              + host
              + ":"
              + port
              + " model="
              + String.join(",", config.servedModelNames())
              + " family="
              + config.family().flagValue());
      // What it was started with, as GET /debug/engine shows it.
      out.println(
          "engine-sim model="
              + (config.model() == null ? "none" : config.model())
              + " revision="
              + (config.revision() == null ? "none" : config.revision())
              + " engine="
              + Json.string(Json.MAPPER.valueToTree(config.engine().toMap())));
      // Which token it got, masked: enough to tell tenants' tokens apart, not to use one.
      out.println("engine-sim hf_token=" + (config.hfToken() == null ? "none" : config.hfToken()));
      out.flush();
    }

    @Override
    public void ready() {
      out.println("engine-sim ready");
      out.flush();
    }

    @Override
    public void crash(String reason) {
      err.println("engine-sim: simulated crash: " + reason);
      err.flush();
      out.flush();
      Runtime.getRuntime().halt(1);
    }
  }
}
