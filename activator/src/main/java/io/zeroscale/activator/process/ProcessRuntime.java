package io.zeroscale.activator.process;

import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.activator.runtime.InstanceRuntime;
import io.zeroscale.activator.runtime.Launch;
import io.zeroscale.activator.runtime.LogTail;
import io.zeroscale.activator.runtime.RuntimeInstance;
import io.zeroscale.api.DeploymentSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Instances as local processes: by default the engine simulator, or any command template (a real
 * {@code vllm serve} on a GPU box). The deployment's engine options ({@code
 * EngineOptions#vllmArgs()}, e.g. {@code --max-model-len=8192 --enable-prefix-caching}) are
 * appended to the expanded template, so that they come last and win over a template's own value of
 * the same flag (vLLM, like the simulator, takes the last one). Each instance has a state file
 * ({@code <id>.json}: pid, port, GPUs, deployment revision) and a log ({@code <id>.log}) in the
 * state directory, so an activator that restarts, or another one that takes over on this machine,
 * adopts the processes instead of starting new ones.
 *
 * <p>Isolation ({@link InstanceIsolation}): an instance gets an explicit environment, not this
 * JVM's; its own directory {@code <id>/} (0700, its {@code HOME}); its state file and log are 0600
 * in a 0700 state directory; its engine key goes by environment ({@code VLLM_API_KEY}), never on
 * the command line, and is kept in the state file so that an adopting activator republishes it.
 *
 * <p>GPU inventory: {@code gpus} of every type; an instance holds its GPUs while its process lives.
 * A launch that does not fit answers {@link Launch.NoCapacity} and starts nothing.
 *
 * <p>All file and process work runs on a bounded-elastic worker, serialized by this object's
 * monitor (launches are rare; nothing here is on a request path).
 */
public final class ProcessRuntime implements InstanceRuntime {

  private static final Logger log = LoggerFactory.getLogger(ProcessRuntime.class);

  /**
   * One instance's state file.
   *
   * @param revision the deployment revision it was launched for; 0 in a state file written before
   *     revisions
   */
  record Entry(
      String instanceId,
      String deploymentId,
      long pid,
      long startedAtMillis,
      String url,
      String gpu,
      int numGpus,
      String engineKey,
      int revision) {

    /** Never shows the engine key. */
    @Override
    public String toString() {
      return "Entry[" + instanceId + ", pid " + pid + ", " + url + "]";
    }
  }

  private final int gpus;
  private final List<String> command;
  private final String host;

  /** An instance's log is cut when it grows over this. */
  static final long LOG_MAX_BYTES = 32L * 1024 * 1024;

  /** What is kept of a log that is cut: its end. */
  static final int LOG_KEPT_BYTES = 4 * 1024 * 1024;

  private final Path stateDir;
  private final JsonMapper json;
  private final InstanceIsolation isolation;
  private final Scheduler worker = Schedulers.boundedElastic();

  /** Processes this JVM started (with exit codes); adopted ones are found by pid. */
  private final Map<String, Process> children = new HashMap<>();

  /**
   * @param gpus GPUs per type
   * @param command the command template (see {@link ProcessRuntimeProperties})
   * @param host bind address of instances
   * @param stateDir state and log directory
   */
  public ProcessRuntime(
      int gpus, List<String> command, String host, Path stateDir, JsonMapper json) {
    this(gpus, command, host, stateDir, json, InstanceIsolation.defaults());
  }

  /**
   * @param isolation the environment allowlist and the user instances run as
   */
  public ProcessRuntime(
      int gpus,
      List<String> command,
      String host,
      Path stateDir,
      JsonMapper json,
      InstanceIsolation isolation) {
    this.gpus = gpus;
    this.command = List.copyOf(command);
    this.host = host;
    this.stateDir = stateDir;
    this.json = json;
    this.isolation = isolation;
  }

  /** The simulator as the command: this JVM's java, the jar, the flags of SPEC §9. */
  public static List<String> simulatorCommand(Path jar, List<String> simFlags) {
    return simulatorCommand(List.of("-jar", jar.toString()), simFlags);
  }

  /**
   * The simulator as the command, started by {@code launcher} ({@code -jar <jar>}, or {@code -cp
   * <classpath> <main class>} in tests), with the template of SPEC §9 and {@code simFlags}.
   */
  static List<String> simulatorCommand(List<String> launcher, List<String> simFlags) {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    // A small, quick-starting JVM: an instance of the simulator needs little.
    cmd.addAll(List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(launcher);
    cmd.addAll(
        List.of(
            // The model and revision as vLLM takes them; the simulator reports them
            // (GET /debug/engine) and matches them against --fail-boot-for-models.
            "{repo}",
            "--revision={revision}",
            "--host={host}",
            "--port={port}",
            "--served-model-name={model_name},{full_name}",
            "--family={family}",
            "--max-num-seqs={max_batch_size}"));
    cmd.addAll(simFlags);
    return List.copyOf(cmd);
  }

  @Override
  public String name() {
    return "process";
  }

  @Override
  public Mono<Launch> launch(InstancePlan plan) {
    return Mono.fromCallable(() -> launchNow(plan)).subscribeOn(worker);
  }

  private synchronized Launch launchNow(InstancePlan plan) throws IOException {
    createStateDir();
    if (Files.exists(stateFile(plan.instanceId()))) {
      return new Launch.Accepted(plan.instanceId());
    }
    DeploymentSpec d = plan.deployment();
    int used = usedGpus(d.gpu());
    if (used + d.numGpus() > gpus) {
      return new Launch.NoCapacity(
          "insufficient GPU capacity: "
              + Math.max(0, gpus - used)
              + " of "
              + gpus
              + " "
              + d.gpu()
              + " free, "
              + d.numGpus()
              + " needed");
    }
    int port = freePort();
    List<String> cmd = commandLine(command, plan, host, port);
    Path logFile = logFile(plan.instanceId());
    if (!Files.exists(logFile)) {
      Files.createFile(logFile, InstanceIsolation.FILE_0600);
    }
    Path home = homeDir(plan.instanceId());
    deleteTree(home); // a leftover of an earlier try of this id
    isolation.createHome(home);
    ProcessBuilder pb =
        new ProcessBuilder(isolation.wrap(cmd))
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    // Nothing of this JVM's environment (admin key, database passwords, tokens) unless allowed.
    pb.environment().clear();
    pb.environment()
        .putAll(
            isolation.environment(home, plan.engineKey(), plan.hfToken(), plan.platformToken()));
    if (plan.s3() != null) {
      // The plan's S3 access only: the isolation drops every AWS_* of the activator's own.
      pb.environment().putAll(plan.s3().environment());
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      deleteTree(home);
      throw new IOException("cannot start `" + cmd.getFirst() + "`: " + e.getMessage(), e);
    }
    children.put(plan.instanceId(), p);
    long started = p.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    Entry entry =
        new Entry(
            plan.instanceId(),
            d.id(),
            p.pid(),
            started,
            "http://" + urlHost(host) + ":" + port,
            d.gpu(),
            d.numGpus(),
            plan.engineKey(),
            d.revision());
    try {
      write(entry);
    } catch (IOException | RuntimeException e) {
      // Without its state file nobody could adopt or stop it: do not leave it running.
      p.destroyForcibly();
      children.remove(plan.instanceId());
      try {
        deleteTree(home);
      } catch (IOException stillInUse) {
        e.addSuppressed(stillInUse);
      }
      throw e;
    }
    log.info(
        "Started instance {} of {} revision {} (pid {}, {}), log {}",
        plan.instanceId(),
        d.fullName(),
        d.revision(),
        p.pid(),
        entry.url(),
        logFile);
    return new Launch.Accepted(plan.instanceId());
  }

  @Override
  public Mono<List<RuntimeInstance>> list() {
    return Mono.fromCallable(this::listNow).subscribeOn(worker);
  }

  private synchronized List<RuntimeInstance> listNow() {
    List<RuntimeInstance> out = new ArrayList<>();
    for (Entry e : entries()) {
      boundLog(e.instanceId());
      Optional<String> exit = exited(e);
      out.add(
          new RuntimeInstance(
              e.instanceId(),
              e.deploymentId(),
              exit.isPresent() ? RuntimeInstance.Phase.EXITED : RuntimeInstance.Phase.RUNNING,
              e.url(),
              exit.isEmpty(),
              exit.orElse(null),
              e.startedAtMillis() == 0 ? null : Instant.ofEpochMilli(e.startedAtMillis()),
              e.engineKey(),
              e.revision()));
    }
    return out;
  }

  @Override
  public Mono<Void> stop(String instanceId, Duration grace) {
    return Mono.fromRunnable(() -> stopNow(instanceId, grace)).subscribeOn(worker).then();
  }

  private void stopNow(String instanceId, Duration grace) {
    Optional<ProcessHandle> handle;
    Entry entry;
    synchronized (this) {
      entry = read(stateFile(instanceId)).orElse(null);
      if (entry == null) {
        return;
      }
      handle = alive(entry);
    }
    // Outside the monitor: waiting for an exit must not hold up launches and lists.
    handle.ifPresent(
        h -> {
          h.destroy();
          try {
            h.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
          } catch (Exception timedOut) {
            log.warn("Instance {} did not stop within {}; killing it", instanceId, grace);
            h.destroyForcibly();
            try {
              h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
              log.warn("Instance {} (pid {}) survived SIGKILL", instanceId, h.pid());
            }
          }
        });
    synchronized (this) {
      children.remove(instanceId);
      try {
        Files.deleteIfExists(stateFile(instanceId));
        deleteTree(homeDir(instanceId));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * The end of the instance's log file ({@code <state dir>/<id>.log}, stdout and stderr appended),
   * while its state file says it belongs to {@code deploymentId}; at most {@code maxBytes} read.
   */
  @Override
  public Mono<List<String>> logs(String deploymentId, String instanceId, int lines, int maxBytes) {
    return Mono.fromCallable(
            () -> {
              Entry entry;
              synchronized (this) {
                entry = read(stateFile(instanceId)).orElse(null);
              }
              if (entry == null || !entry.deploymentId().equals(deploymentId)) {
                return null;
              }
              return LogTail.of(logFile(instanceId), lines, maxBytes);
            })
        .subscribeOn(worker);
  }

  /**
   * Keeps an instance's log under {@value #LOG_MAX_BYTES} bytes: checked at every list (each
   * reconcile pass), cut to its last {@value #LOG_KEPT_BYTES} bytes when over.
   */
  private void boundLog(String instanceId) {
    try {
      if (LogTail.bound(logFile(instanceId), LOG_MAX_BYTES, LOG_KEPT_BYTES)) {
        log.info("Cut the log of instance {} to its last {} bytes", instanceId, LOG_KEPT_BYTES);
      }
    } catch (IOException e) {
      log.warn("Could not bound the log of instance {}: {}", instanceId, e.toString());
    }
  }

  /** GPUs of a type held by live processes. */
  private int usedGpus(String gpu) {
    int used = 0;
    for (Entry e : entries()) {
      if (e.gpu().equals(gpu) && exited(e).isEmpty()) {
        used += e.numGpus();
      }
    }
    return used;
  }

  /** Empty while the process lives; otherwise how it ended. */
  private Optional<String> exited(Entry e) {
    if (alive(e).isPresent()) {
      return Optional.empty();
    }
    Process child = children.get(e.instanceId());
    String how =
        child != null && !child.isAlive()
            ? "exited with code " + child.exitValue()
            : "process " + e.pid() + " is gone";
    return Optional.of(
        how + lastLogLine(e.instanceId()).map(l -> "; last log line: " + l).orElse(""));
  }

  /** The live process of an entry; a pid reused by another process does not count. */
  private Optional<ProcessHandle> alive(Entry e) {
    return ProcessHandle.of(e.pid())
        .filter(ProcessHandle::isAlive)
        .filter(
            h ->
                e.startedAtMillis() == 0
                    || h.info()
                        .startInstant()
                        .map(i -> Math.abs(i.toEpochMilli() - e.startedAtMillis()) < 2000)
                        .orElse(true));
  }

  private Optional<String> lastLogLine(String instanceId) {
    try (Stream<String> lines = Files.lines(logFile(instanceId))) {
      String last = null;
      for (String l : (Iterable<String>) lines::iterator) {
        if (!l.isBlank()) {
          last = l.strip();
        }
      }
      if (last != null && last.length() > 300) {
        last = last.substring(0, 300) + "…";
      }
      return Optional.ofNullable(last);
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }

  private List<Entry> entries() {
    if (!Files.isDirectory(stateDir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(stateDir)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".json"))
          .sorted()
          .map(this::read)
          .flatMap(Optional::stream)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Optional<Entry> read(Path file) {
    try {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      JsonNode n = json.readTree(Files.readString(file));
      return Optional.of(
          new Entry(
              n.required("instance_id").asString(),
              n.required("deployment_id").asString(),
              n.required("pid").asLong(),
              n.path("started_at_ms").asLong(0),
              n.required("url").asString(),
              n.required("gpu").asString(),
              n.required("num_gpus").asInt(),
              // Absent in state files written before engine keys: an open engine.
              n.hasNonNull("engine_key") ? n.get("engine_key").asString() : null,
              // Absent in state files written before revisions: the adopter's current one.
              n.path("revision").asInt(0)));
    } catch (IOException | RuntimeException e) {
      log.warn("Ignoring unreadable instance state {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  private void write(Entry e) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("instance_id", e.instanceId());
    m.put("deployment_id", e.deploymentId());
    m.put("pid", e.pid());
    m.put("started_at_ms", e.startedAtMillis());
    m.put("url", e.url());
    m.put("gpu", e.gpu());
    m.put("num_gpus", e.numGpus());
    if (e.engineKey() != null) {
      m.put("engine_key", e.engineKey());
    }
    m.put("revision", e.revision());
    // Written whole then moved, so a reader never sees half a file; 0600 from its creation.
    Path tmp = stateDir.resolve(e.instanceId() + ".json.tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, InstanceIsolation.FILE_0600);
    Files.writeString(tmp, json.writeValueAsString(m));
    Files.move(
        tmp,
        stateFile(e.instanceId()),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private Path stateFile(String instanceId) {
    return stateDir.resolve(instanceId + ".json");
  }

  private Path logFile(String instanceId) {
    return stateDir.resolve(instanceId + ".log");
  }

  /** The instance's own directory: its {@code HOME} and working directory. */
  private Path homeDir(String instanceId) {
    return stateDir.resolve(instanceId);
  }

  /**
   * The state directory, created with {@link InstanceIsolation#stateDirPermissions()}; an existing
   * one with another mode (made before instances were isolated: 0755) is set to it, with a log
   * line.
   */
  private void createStateDir() throws IOException {
    var wanted = PosixFilePermissions.fromString(isolation.stateDirPermissions());
    if (!Files.isDirectory(stateDir)) {
      Files.createDirectories(stateDir, PosixFilePermissions.asFileAttribute(wanted));
      return;
    }
    var perms = Files.getPosixFilePermissions(stateDir);
    if (!perms.equals(wanted)) {
      log.warn(
          "Instance state directory {} was {}; made it {}",
          stateDir,
          PosixFilePermissions.toString(perms),
          isolation.stateDirPermissions());
      Files.setPosixFilePermissions(stateDir, wanted);
    }
  }

  /** Deletes a directory tree without following symbolic links (an instance may have made some). */
  private static void deleteTree(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static String urlHost(String host) {
    return "0.0.0.0".equals(host) ? "127.0.0.1" : host;
  }

  /**
   * The command an instance runs: the template {@link #expand expanded}, then the deployment's
   * engine options as vLLM flags ({@code EngineOptions#vllmArgs()}, nothing for none).
   */
  static List<String> commandLine(List<String> template, InstancePlan plan, String host, int port) {
    List<String> cmd = expand(template, plan, host, port);
    cmd.addAll(plan.deployment().engine().vllmArgs());
    return cmd;
  }

  /** The command with its placeholders filled in for this instance. */
  static List<String> expand(List<String> template, InstancePlan plan, String host, int port) {
    DeploymentSpec d = plan.deployment();
    String repo = plan.repo();
    // The commit sha pinned at import for a verified model; the branch of an unverified one.
    String revision = plan.revision();
    Map<String, String> values = new LinkedHashMap<>();
    values.put("{port}", Integer.toString(port));
    values.put("{host}", host);
    values.put("{repo}", repo);
    values.put("{revision}", revision);
    values.put("{model_name}", d.modelName());
    values.put("{full_name}", d.fullName());
    values.put("{max_batch_size}", Integer.toString(d.maxBatchSize()));
    values.put("{num_gpus}", Integer.toString(d.numGpus()));
    values.put("{family}", d.family().wire());
    List<String> out = new ArrayList<>();
    for (String part : template) {
      if (plan.fromS3() && part.contains("{revision}")) {
        // S3 has no revisions: the engine loads the objects under the prefix as they are.
        continue;
      }
      String s = part;
      for (var v : values.entrySet()) {
        s = s.replace(v.getKey(), v.getValue());
      }
      out.add(s);
      if (plan.fromS3() && part.contains("{repo}")) {
        // vLLM streams s3:// models with the Run:ai Model Streamer, reading the AWS_* variables.
        out.add("--load-format=" + InstancePlan.S3_LOAD_FORMAT);
      }
    }
    return out;
  }
}
