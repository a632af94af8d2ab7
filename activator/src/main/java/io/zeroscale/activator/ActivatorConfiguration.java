package io.zeroscale.activator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.zeroscale.activator.core.BudgetPort;
import io.zeroscale.activator.core.DeploymentStatusPort;
import io.zeroscale.activator.events.EventLog;
import io.zeroscale.activator.events.EventOutbox;
import io.zeroscale.activator.events.HeartbeatLog;
import io.zeroscale.activator.kubernetes.KubernetesRuntime;
import io.zeroscale.activator.kubernetes.KubernetesRuntimeProperties;
import io.zeroscale.activator.loop.Activator;
import io.zeroscale.activator.loop.ActivatorMetrics;
import io.zeroscale.activator.loop.BootTracing;
import io.zeroscale.activator.loop.HttpHealthProbe;
import io.zeroscale.activator.loop.RedisActivatorStore;
import io.zeroscale.activator.process.InstanceIsolation;
import io.zeroscale.activator.process.ProcessRuntime;
import io.zeroscale.activator.process.ProcessRuntimeProperties;
import io.zeroscale.activator.runtime.InstanceRuntime;
import io.zeroscale.api.crypto.SecretBox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.system.ApplicationHome;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The activator's wiring: the runtime chosen by {@code zeroscale.activator.runtime}, the Redis
 * adapter, the lifecycle-event outbox and the reconcile loop. The host application provides a
 * {@link DeploymentStatusPort} (the control plane's status of record), a {@link Clock}, an {@link
 * EventLog} and a {@link HeartbeatLog} (billing's module: required, since lifecycle events are
 * never dropped), and a {@link BudgetPort} (billing's spend limits). Without a {@code BudgetPort}
 * the activator boots everything ({@link BudgetPort#UNLIMITED}) and says so with a warning at
 * start-up. {@code zeroscale.activator.enabled=false} leaves it out (a gateway-only replica).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({
  ActivatorProperties.class,
  ProcessRuntimeProperties.class,
  KubernetesRuntimeProperties.class
})
@ConditionalOnProperty(
    name = "zeroscale.activator.enabled",
    havingValue = "true",
    matchIfMissing = true)
public class ActivatorConfiguration {

  private static final Logger log = LoggerFactory.getLogger(ActivatorConfiguration.class);

  /**
   * Instance logs for the tenant API of a gateway in the same process, with the secrets an instance
   * is given blanked: its tenant's HF token, the platform's when the instance may use it, its S3
   * credentials.
   */
  @Bean
  io.zeroscale.api.InstanceLogs instanceLogs(
      InstanceRuntime activatorRuntime, RedisActivatorStore activatorStore) {
    String platformToken = System.getenv("HF_TOKEN");
    return new io.zeroscale.activator.runtime.RuntimeLogs(
        activatorRuntime,
        deploymentId -> activatorStore.token(deploymentId).map(t -> t.secrets(platformToken)));
  }

  /** The activator's view of Redis, with what opens the tenants' credentials. */
  @Bean
  RedisActivatorStore activatorStore(
      RedissonClient redisson,
      ObjectProvider<SecretBox> secretBox,
      @Value("${zeroscale.secrets.key:}") String secretsKey) {
    return new RedisActivatorStore(
        redisson, JsonMapper.builder().build(), secrets(secretBox.getIfAvailable(), secretsKey));
  }

  @Bean
  InstanceRuntime activatorRuntime(
      ActivatorProperties activator,
      ProcessRuntimeProperties process,
      KubernetesRuntimeProperties kubernetes,
      @Value("${zeroscale.home:./.zeroscale}") Path home) {
    if (activator.runtime() == ActivatorProperties.RuntimeKind.KUBERNETES) {
      log.info("Kubernetes runtime: pods in namespace {}", kubernetes.namespace());
      return KubernetesRuntime.create(kubernetes);
    }
    Path stateDir = process.stateDir() != null ? process.stateDir() : home.resolve("instances");
    List<String> command = process.command();
    if (command.isEmpty()) {
      Path jar = engineJar(process.engineJar());
      command = ProcessRuntime.simulatorCommand(jar, process.sim().flags());
      log.info(
          "Process runtime: {} GPUs per type, the engine simulator {} with {}; state in {}",
          process.gpus(),
          jar,
          process.sim().flags(),
          stateDir);
    } else {
      log.info("Process runtime: {} GPUs per type, command {}", process.gpus(), command);
    }
    InstanceIsolation isolation = process.isolation();
    log.info(
        "Process runtime: instances get {} and {} of this environment, run as {}",
        InstanceIsolation.BASE_ENV,
        process.passEnv().isEmpty() ? "nothing else" : process.passEnv(),
        isolation.runAs() == null ? "this user" : isolation.runAs().user());
    return new ProcessRuntime(
        process.gpus(), command, process.host(), stateDir, JsonMapper.builder().build(), isolation);
  }

  /**
   * The simulator's jar: the configured path, else {@code engine-sim/target/engine-sim.jar} under
   * the working directory or the build tree the running jar sits in ({@code
   * standalone/target/zeroscale.jar} → {@code ../../engine-sim/target/engine-sim.jar}).
   */
  static Path engineJar(Path configured) {
    if (configured != null) {
      return configured.toAbsolutePath();
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of("engine-sim", "target", "engine-sim.jar"));
    // java -jar standalone/target/zeroscale.jar: walk up from the jar's folder.
    for (Path dir = new ApplicationHome().getDir().toPath().toAbsolutePath();
        dir != null;
        dir = dir.getParent()) {
      candidates.add(dir.resolve("engine-sim").resolve("target").resolve("engine-sim.jar"));
    }
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    Path fallback = candidates.getFirst().toAbsolutePath();
    log.warn(
        "Engine simulator jar not found at {}; instances will fail to start until it is built"
            + " (./mvnw -q -DskipTests package) or zeroscale.runtime.process.engine-jar is set",
        fallback);
    return fallback;
  }

  @Bean
  Activator activator(
      InstanceRuntime activatorRuntime,
      RedisActivatorStore activatorStore,
      EventLog events,
      HeartbeatLog heartbeats,
      DeploymentStatusPort status,
      ActivatorProperties props,
      ProcessRuntimeProperties process,
      Clock clock,
      ObjectProvider<BudgetPort> budget,
      ObjectProvider<MeterRegistry> registry,
      ObjectProvider<Tracer> tracer,
      ObjectProvider<Propagator> propagator) {
    Activator activator =
        new Activator(
                activatorRuntime,
                activatorStore,
                new HttpHealthProbe(props.probeTimeout()),
                new EventOutbox(events),
                heartbeats,
                status,
                budgetOrUnlimited(budget.getIfAvailable()),
                props.policy(process.stopGrace()),
                clock)
            .traced(
                new BootTracing(
                    tracer.getIfAvailable(() -> Tracer.NOOP),
                    propagator.getIfAvailable(() -> Propagator.NOOP)));
    MeterRegistry meters = registry.getIfAvailable();
    if (meters != null) {
      activator.meter(new ActivatorMetrics(meters));
    }
    return activator;
  }

  /**
   * What opens the tenants' HF tokens for instances: the control plane's box when it runs in this
   * application, else one of {@code zeroscale.secrets.key} (the same key seals them), else none
   * (instances of models with a tenant token then start without it, with a warning).
   */
  static SecretBox secrets(SecretBox shared, String key) {
    if (shared != null) {
      return shared;
    }
    if (key == null || key.isBlank()) {
      log.warn(
          "No zeroscale.secrets.key: the tenants' HF tokens cannot be opened, so instances of"
              + " private models start without one");
      return null;
    }
    return new SecretBox(SecretBox.decodeKey(key), new SecureRandom());
  }

  /**
   * The host's budget port, or {@link BudgetPort#UNLIMITED} with a warning: an activator wired
   * without billing must not ignore spend limits silently.
   */
  static BudgetPort budgetOrUnlimited(BudgetPort budget) {
    if (budget != null) {
      return budget;
    }
    log.warn(
        "No BudgetPort bean: spend limits are not checked before boots (every boot is allowed)."
            + " Wire billing's BillingConfiguration to enforce them.");
    return BudgetPort.UNLIMITED;
  }
}
