package io.zeroscale.standalone;

import io.zeroscale.gateway.model.hub.StandInHub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Stacks that several IT classes with the same configuration share, so that the failsafe run starts
 * them once instead of once per class (a jar start and its PostgreSQL take 10–30 s on the 2-core CI
 * machine). Each stack names the classes that use it: the first of them to ask starts it, and it is
 * stopped as soon as every one of them has released it, or killed when the JVM exits if only some
 * of them run (e.g. {@code -Dit.test=OneIT}). Each class works in tenants and deployments of its
 * own and removes the deployments it made, so that neither the order of the classes nor their tests
 * matter.
 */
final class SharedStacks {

  /** The admin key of every shared stack. */
  static final String ADMIN = "shared-admin-" + "x".repeat(24);

  /** The platform's own Hugging Face token in the instance stack, which no instance may receive. */
  static final String PLATFORM_HF_TOKEN = "hf_platformSecretToken0123456789";

  private SharedStacks() {}

  /** The server's own AWS credentials in the instance stack, which no instance may receive. */
  static final String SERVER_AWS_KEY_ID = "AKIASERVEROWNKEY0000";

  static final String SERVER_AWS_SECRET = "serverOwnAwsSecretThatMustNotLeak0123456";
  static final String SERVER_AWS_REGION = "server-region-1";

  /**
   * One standalone jar (real activator and autoscaler, simulators that boot in 300 ms and send a
   * token every 50 ms, a 1 s deployments sweep, series flushed every second, S3 endpoints on
   * 127.0.0.1 allowed) with a platform {@code HF_TOKEN} and the server's own {@code AWS_*} in its
   * environment, on a PostgreSQL and a Redis the test can read: {@link InstanceIsolationIT}, {@link
   * TenantCredentialsIT}, {@link S3ModelsIT}, {@link SeedShapesIT} and {@link
   * TenantObservabilityIT}.
   */
  static final Shared<Instances> INSTANCES =
      new Shared<>(
          Set.of(
              InstanceIsolationIT.class,
              TenantCredentialsIT.class,
              S3ModelsIT.class,
              SeedShapesIT.class,
              TenantObservabilityIT.class),
          dir -> {
            StandaloneStack stack =
                StandaloneStack.start(
                    dir,
                    ADMIN,
                    List.of(
                        "--zeroscale.runtime.process.sim.startup-duration=300ms",
                        "--zeroscale.runtime.process.sim.inter-token-latency=50ms",
                        "--zeroscale.deployments.sweep-interval=1s",
                        "--zeroscale.gateway.series-flush-interval=1s",
                        "--zeroscale.s3.private-hosts=127.0.0.1"),
                    Map.of(
                        "HF_TOKEN", PLATFORM_HF_TOKEN,
                        "AWS_ACCESS_KEY_ID", SERVER_AWS_KEY_ID,
                        "AWS_SECRET_ACCESS_KEY", SERVER_AWS_SECRET,
                        "AWS_REGION", SERVER_AWS_REGION));
            return new Instances(stack, dir.resolve("home"));
          });

  /**
   * Two gateways (the jar, activator off: the tests publish their own instances) on one PostgreSQL
   * and one Redis, with a stand-in hub that knows Llama-2-7B: {@link AdminApiIT} and {@link
   * SelfServiceKeysIT}.
   */
  static final Shared<Fleet> FLEET =
      new Shared<>(
          Set.of(AdminApiIT.class, SelfServiceKeysIT.class),
          dir -> {
            StandInHub hub = StandInHub.start();
            hub.add(StandInHub.LLAMA_7B);
            try {
              GatewayFleet fleet =
                  GatewayFleet.start(
                      dir,
                      ADMIN,
                      Map.of("ZEROSCALE_HUB_URL", hub.baseUrl().toString()),
                      List.of("--zeroscale.activator.enabled=false"));
              return new Fleet(fleet, hub);
            } catch (IOException | RuntimeException e) {
              hub.close();
              throw e;
            }
          });

  /** A stack: stopped gracefully by its last user, killed by a JVM that exits before that. */
  interface Stack extends AutoCloseable {
    void kill() throws Exception;
  }

  /** The single-jar stack and the home of its app ({@code instances/} is in it). */
  record Instances(StandaloneStack stack, Path home) implements Stack {
    @Override
    public void close() throws Exception {
      stack.close();
    }

    @Override
    public void kill() throws IOException {
      stack.kill();
    }
  }

  /** The two gateways and their hub. */
  record Fleet(GatewayFleet fleet, StandInHub hub) implements Stack {
    @Override
    public void close() throws Exception {
      try {
        fleet.close();
      } finally {
        hub.close();
      }
    }

    @Override
    public void kill() throws Exception {
      try {
        fleet.kill();
      } finally {
        hub.close();
      }
    }
  }

  interface Starter<T> {
    T start(Path dir) throws IOException;
  }

  /** A stack started on first use and stopped once all its users have released it. */
  static final class Shared<T extends Stack> {

    private final Set<Class<?>> users;
    private final Starter<T> starter;
    private final Set<Class<?>> released = new HashSet<>();
    private T running;
    private Path dir;
    private boolean closed;

    Shared(Set<Class<?>> users, Starter<T> starter) {
      this.users = users;
      this.starter = starter;
    }

    /** The running stack, started now if {@code user} is the first to ask. */
    synchronized T acquire(Class<?> user) throws IOException {
      if (!users.contains(user)) {
        throw new IllegalArgumentException(user + " is not a declared user of this stack");
      }
      if (closed) {
        throw new IllegalStateException("stopped already: every user released it");
      }
      if (running == null) {
        dir = Files.createTempDirectory("shared-it");
        try {
          running = starter.start(dir);
        } catch (IOException | RuntimeException | Error e) {
          // The starter stopped what it had started; its files go too.
          try {
            delete(dir);
          } catch (UncheckedIOException x) {
            e.addSuppressed(x);
          }
          throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "shared-stack-stop"));
      }
      return running;
    }

    /** {@code user} is done with it: the last of its users stops it. */
    synchronized void release(Class<?> user) throws Exception {
      released.add(user);
      if (released.containsAll(users) && running != null && !closed) {
        closed = true;
        try {
          running.close();
        } finally {
          delete(dir);
        }
      }
    }

    /**
     * At JVM exit: killed, not stopped gracefully, because the test runner kills a JVM that has not
     * exited 30 s after its tests (and its children would then be left running).
     */
    private synchronized void stop() {
      if (running != null && !closed) {
        closed = true;
        try {
          running.kill();
        } catch (Exception e) {
          System.err.println("shared stack: " + e);
        }
        delete(dir);
      }
    }

    private static void delete(Path dir) {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
