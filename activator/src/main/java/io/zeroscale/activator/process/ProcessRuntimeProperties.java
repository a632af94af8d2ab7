package io.zeroscale.activator.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the {@code process} runtime ({@code zeroscale.runtime.process.*}): how many GPUs of
 * each catalog type this machine pretends to have, and the engine simulator's flags for every
 * instance it starts (SPEC §9 names, e.g. {@code
 * zeroscale.runtime.process.sim.inter-token-latency=50ms}).
 *
 * <p>{@code command}, when set, replaces the simulator: a template whose elements may contain
 * {@code {port}}, {@code {host}}, {@code {repo}}, {@code {revision}}, {@code {model_name}}, {@code
 * {full_name}}, {@code {max_batch_size}}, {@code {num_gpus}} and {@code {family}}, for example
 * {@code vllm,serve,{repo},--revision,{revision},--port,{port},--max-num-seqs,{max_batch_size},
 * --tensor-parallel-size,{num_gpus},--served-model-name,{model_name},{full_name}}.
 *
 * <p>For the simulator and a custom template alike, the deployment's engine options follow the
 * expanded command as vLLM flags ({@code EngineOptions#vllmArgs()}: {@code --max-model-len=N},
 * {@code --gpu-memory-utilization=X}, {@code --[no-]enable-prefix-caching}, {@code
 * --speculative-config=<json>}, {@code --enable-auto-tool-choice --tool-call-parser=X}, {@code
 * --reasoning-parser=X}, {@code --dtype=X}, {@code --quantization=X}); being last, they win over a
 * template's own value of the same flag. A template must therefore end where flags may follow (not
 * inside a shell string such as {@code sh -c "..."}).
 *
 * @param gpus GPUs offered per catalog GPU type
 * @param sim simulator flags applied to every simulated instance
 * @param engineJar the simulator's jar; by default {@code engine-sim/target/engine-sim.jar} next to
 *     the working directory or to the standalone jar's build tree
 * @param command a command template instead of the simulator, or empty
 * @param host the address instances bind to and are reached at
 * @param stateDir where each instance's pid, port and log are kept (so that another activator on
 *     this machine adopts them); by default {@code <zeroscale.home>/instances}
 * @param stopGrace how long a stopped instance gets between SIGTERM and SIGKILL
 * @param passEnv environment variables instances get from the activator besides {@link
 *     InstanceIsolation#BASE_ENV} (names, or {@code PREFIX*}), e.g. {@code CUDA_*,NCCL_*}; nothing
 *     else of the activator's environment reaches an instance. Checked here, at start-up ({@link
 *     InstanceIsolation#checkPassEnv}): a pattern that could match a reserved or secret-looking
 *     name ({@code Z*}, {@code S*}, {@code SPRING_*}, {@code J*}, {@code HF_TOK*}, ...) is refused,
 *     and so are {@code ZEROSCALE_*} names and {@code HF_TOKEN}; other exact names pass. Naming
 *     {@code HF_HOME} shares the server's Hugging Face cache, and its {@code token} file, with
 *     every instance
 * @param runAsUser an OS user to run instances as (through {@code setpriv}); only when the
 *     activator runs as root, checked at start-up; unset: the activator's own user
 */
@ConfigurationProperties("zeroscale.runtime.process")
public record ProcessRuntimeProperties(
    @DefaultValue("8") int gpus,
    @DefaultValue Sim sim,
    Path engineJar,
    @DefaultValue List<String> command,
    @DefaultValue("127.0.0.1") String host,
    Path stateDir,
    @DefaultValue("30s") Duration stopGrace,
    @DefaultValue List<String> passEnv,
    String runAsUser) {

  public ProcessRuntimeProperties {
    if (gpus < 0) {
      throw new IllegalArgumentException(
          "zeroscale.runtime.process.gpus must be >= 0, got " + gpus);
    }
    if (stopGrace.isNegative()) {
      throw new IllegalArgumentException(
          "zeroscale.runtime.process.stop-grace must not be negative, got " + stopGrace);
    }
    command = command == null ? List.of() : List.copyOf(command);
    passEnv = passEnv == null ? List.of() : List.copyOf(passEnv);
    InstanceIsolation.checkPassEnv(passEnv);
    if (runAsUser != null && runAsUser.isBlank()) {
      runAsUser = null;
    }
  }

  /**
   * The isolation of instances: the allowlist with this JVM's environment, and the user (resolved
   * and checked now: a wrong setting fails the start-up, not the first launch).
   */
  public InstanceIsolation isolation() {
    return new InstanceIsolation(
        passEnv,
        System.getenv(),
        runAsUser == null ? null : InstanceIsolation.RunAs.resolve(runAsUser));
  }

  /**
   * The simulator's flags; null means "the simulator's own default".
   *
   * @param startupDuration time until {@code /health} answers 200 (default 2s)
   * @param timeToFirstToken delay before the first token
   * @param interTokenLatency delay between tokens
   * @param maxWaitingQueueLength the engine's own waiting queue bound
   * @param failureInjectionRate share of requests that fail with a 500, in [0, 1]
   * @param crashAfterRequests the engine exits after serving this many requests (0: at boot)
   * @param failBootForModels globs of models ({@code org/repo} or {@code org/repo@revision}; {@code
   *     *} is any characters, {@code ?} one) whose instances fail to boot: the simulator exits 1
   *     before it is ever healthy, as a model that cannot load (a failing rollout in tests); e.g.
   *     {@code zeroscale.runtime.process.sim.fail-boot-for-models=acme/broken-*}
   */
  public record Sim(
      @DefaultValue("2s") Duration startupDuration,
      Duration timeToFirstToken,
      Duration interTokenLatency,
      Integer maxWaitingQueueLength,
      Double failureInjectionRate,
      Integer crashAfterRequests,
      List<String> failBootForModels) {

    public Sim {
      requireNonNegative("startup-duration", startupDuration);
      requireNonNegative("time-to-first-token", timeToFirstToken);
      requireNonNegative("inter-token-latency", interTokenLatency);
      if (maxWaitingQueueLength != null && maxWaitingQueueLength < 0) {
        throw invalid("max-waiting-queue-length", maxWaitingQueueLength, "must be >= 0");
      }
      if (failureInjectionRate != null
          && (failureInjectionRate < 0
              || failureInjectionRate > 1
              || failureInjectionRate.isNaN())) {
        throw invalid("failure-injection-rate", failureInjectionRate, "must be within [0, 1]");
      }
      if (crashAfterRequests != null && crashAfterRequests < 0) {
        throw invalid("crash-after-requests", crashAfterRequests, "must be >= 0");
      }
      failBootForModels = failBootForModels == null ? List.of() : List.copyOf(failBootForModels);
      for (String glob : failBootForModels) {
        if (glob.isBlank() || glob.contains(",") || !glob.strip().equals(glob)) {
          throw invalid(
              "fail-boot-for-models",
              "'" + glob + "'",
              "must be non-empty globs without commas or surrounding spaces");
        }
      }
    }

    /** The command-line flags (SPEC §9 spelling) for these settings, unset ones omitted. */
    public List<String> flags() {
      List<String> flags = new ArrayList<>();
      if (startupDuration != null) {
        flags.add("--startup-duration=" + startupDuration.toMillis() + "ms");
      }
      if (timeToFirstToken != null) {
        flags.add("--time-to-first-token=" + timeToFirstToken.toMillis() + "ms");
      }
      if (interTokenLatency != null) {
        flags.add("--inter-token-latency=" + interTokenLatency.toMillis() + "ms");
      }
      if (maxWaitingQueueLength != null) {
        flags.add("--max-waiting-queue-length=" + maxWaitingQueueLength);
      }
      if (failureInjectionRate != null) {
        flags.add("--failure-injection-rate=" + failureInjectionRate);
      }
      if (crashAfterRequests != null) {
        flags.add("--crash-after-requests=" + crashAfterRequests);
      }
      if (!failBootForModels.isEmpty()) {
        flags.add("--fail-boot-for-models=" + String.join(",", failBootForModels));
      }
      return List.copyOf(flags);
    }

    private static void requireNonNegative(String flag, Duration value) {
      if (value != null && value.isNegative()) {
        throw invalid(flag, value, "must not be negative");
      }
    }

    private static IllegalArgumentException invalid(String flag, Object value, String why) {
      return new IllegalArgumentException(
          "zeroscale.runtime.process.sim." + flag + " " + why + ", got " + value);
    }
  }
}
