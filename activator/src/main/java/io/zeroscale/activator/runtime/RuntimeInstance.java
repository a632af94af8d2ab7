package io.zeroscale.activator.runtime;

import java.time.Instant;

/**
 * An instance as its runtime sees it now. Readiness is not the runtime's call alone: the activator
 * publishes an instance only when {@code runtimeReady} holds and its {@code /health} answers 200.
 *
 * @param instanceId the id it was launched with
 * @param deploymentId the deployment it serves
 * @param phase where it is in its life
 * @param url its base URL ({@code http://host:port}), null while unknown (pod not scheduled yet)
 * @param runtimeReady the runtime's own readiness (a pod's Ready condition); the process runtime,
 *     which has no opinion, says true while the process lives
 * @param detail why it is pending or how it ended (exit code, last log line, pod reason), or null
 * @param heldGpusSince when it started holding its GPUs (process start, pod scheduled), if the
 *     runtime knows: a new leader that adopts it bills and ranks it from then, not from adoption
 * @param engineKey the engine API key it was launched with, if the runtime keeps it (the process
 *     runtime's state file): a new leader that adopts it republishes its endpoint with the key
 * @param revision the deployment revision it was launched for (process state file, pod label), 0
 *     when the runtime does not know (launched before revisions): an adopting leader then takes it
 *     for the deployment's current revision
 */
public record RuntimeInstance(
    String instanceId,
    String deploymentId,
    Phase phase,
    String url,
    boolean runtimeReady,
    String detail,
    Instant heldGpusSince,
    String engineKey,
    int revision) {

  /** An instance of no known revision. */
  public RuntimeInstance(
      String instanceId,
      String deploymentId,
      Phase phase,
      String url,
      boolean runtimeReady,
      String detail,
      Instant heldGpusSince,
      String engineKey) {
    this(instanceId, deploymentId, phase, url, runtimeReady, detail, heldGpusSince, engineKey, 0);
  }

  /**
   * An instance that holds no GPUs, not yet ({@link Phase#PENDING}) or no more ({@link
   * Phase#EXITED}): not ready, no start time, no engine key.
   */
  public static RuntimeInstance notServing(
      String instanceId, String deploymentId, Phase phase, String url, String detail) {
    return new RuntimeInstance(instanceId, deploymentId, phase, url, false, detail, null, null, 0);
  }

  /** This instance with {@code engineKey} as its engine key. */
  public RuntimeInstance withEngineKey(String key) {
    return new RuntimeInstance(
        instanceId, deploymentId, phase, url, runtimeReady, detail, heldGpusSince, key, revision);
  }

  /** This instance as launched for deployment revision {@code value}. */
  public RuntimeInstance withRevision(int value) {
    return new RuntimeInstance(
        instanceId,
        deploymentId,
        phase,
        url,
        runtimeReady,
        detail,
        heldGpusSince,
        engineKey,
        value);
  }

  /** Never shows the engine key. */
  @Override
  public String toString() {
    return "RuntimeInstance[instanceId="
        + instanceId
        + ", deploymentId="
        + deploymentId
        + ", phase="
        + phase
        + ", url="
        + url
        + ", runtimeReady="
        + runtimeReady
        + ", detail="
        + detail
        + ", heldGpusSince="
        + heldGpusSince
        + ", engineKey="
        + (engineKey == null ? "none" : "***")
        + ", revision="
        + revision
        + "]";
  }

  public enum Phase {
    /** Accepted but holds no GPUs yet (pod unschedulable or not yet scheduled). Not billed. */
    PENDING,
    /** Holds its GPUs: process started, pod scheduled. Billed from here. */
    RUNNING,
    /** Gone by itself (process exited, container terminated or crash-looping, pod failed). */
    EXITED
  }
}
