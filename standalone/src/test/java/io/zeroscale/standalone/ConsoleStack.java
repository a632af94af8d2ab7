package io.zeroscale.standalone;

import io.zeroscale.gateway.model.hub.StandInHub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One standalone jar (real activator, simulated instances that boot in 3 s) on a PostgreSQL and a
 * Redis of this JVM ({@link StandaloneStack}) and one stand-in Hugging Face hub, shared by every
 * console browser test of the failsafe run: started by the first {@link #shared()} and stopped when
 * the JVM exits. Sharing keeps the browser tests to one jar start; each test class works in tenants
 * of its own ({@link #tenant}), so none sees another's objects.
 */
final class ConsoleStack {

  static final String ADMIN = "console-admin-" + "x".repeat(24);

  private static ConsoleStack shared;
  private static final AtomicInteger TENANTS = new AtomicInteger();

  final StandInHub hub;
  final ApiClient api;
  private final StandaloneStack stack;

  private ConsoleStack() throws IOException {
    Path tmp = Files.createTempDirectory("console-it");
    stack =
        StandaloneStack.start(
            tmp,
            ADMIN,
            List.of(
                "--zeroscale.runtime.process.sim.startup-duration=3s",
                "--zeroscale.runtime.process.sim.inter-token-latency=40ms"));
    hub = stack.hub;
    api = stack.api;
  }

  /**
   * The running stack, started on first use. It is killed when the test JVM exits (the app and its
   * instances with SIGKILL, then the PostgreSQL and Redis this JVM started): a graceful stop could
   * outlast the time the test runner gives an exiting JVM, and the servers are this JVM's, not the
   * app's, so nothing outlives the run.
   */
  static synchronized ConsoleStack shared() {
    if (shared == null) {
      try {
        shared = new ConsoleStack();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      ConsoleStack started = shared;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      started.stack.kill();
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  },
                  "console-stack-stop"));
    }
    return shared;
  }

  /** e.g. {@code http://127.0.0.1:41234}. */
  String baseUrl() {
    return "http://127.0.0.1:" + stack.app.port;
  }

  /** A new tenant's name, unique in this run: {@code prefix-N}. */
  String newTenantName(String prefix) {
    return prefix + "-" + TENANTS.incrementAndGet();
  }

  /**
   * Creates the tenant {@code name} (8-GPU quota) and answers a key of it with {@code scopes}, a
   * JSON array such as {@code ["inference:*","deployments:write"]}.
   */
  String tenant(String name, String scopes) {
    return api.tenantWithKey(ADMIN, name, scopes);
  }

  /** Another key of an existing tenant. */
  String key(String tenant, String scopes) {
    ApiClient.Response k =
        api.post(
            "/admin/v1/tenants/" + tenant + "/keys",
            ADMIN,
            "{\"name\":\"k\",\"scopes\":" + scopes + "}");
    if (k.status() != 201) {
      throw new AssertionError("key creation failed: " + k.status() + " " + k.body());
    }
    return k.json().get("secret").asString();
  }

  /** Every tenant scope, as a JSON array. */
  static final String ALL_TENANT_SCOPES =
      "[\"inference:*\",\"deployments:write\",\"usage:read\",\"keys:write\",\"billing:write\"]";
}
