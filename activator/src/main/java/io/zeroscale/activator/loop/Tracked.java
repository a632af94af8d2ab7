package io.zeroscale.activator.loop;

import io.zeroscale.activator.reconcile.InstanceView;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Instant;

/**
 * One instance as the leading activator tracks it (touched only by the reconcile loop). {@code
 * spec} follows the published deployment (settings change live); what the instance runs is fixed at
 * launch: its {@code revision} and {@code launchSpec} (model, GPU type and count, engine options),
 * which its billing events and heartbeats carry, so that an instance of the old revision is billed
 * at its own GPUs while a rollout replaces it.
 */
final class Tracked {
  final String id;
  DeploymentSpec spec;

  /**
   * The deployment revision it runs: the one it was launched with, or a later one with the same
   * content ({@link #follow}).
   */
  int revision;

  /**
   * The spec it was launched with. An adopted instance of another revision than the published one
   * gets the published spec (the runtime does not say what hardware it holds; the ledger keeps the
   * first SCHEDULED event, written by its launcher with the right one).
   */
  DeploymentSpec launchSpec;

  /**
   * Whether {@link #launchSpec} is really what it runs: false for an instance adopted with another
   * revision than the published one, whose content nobody knows here (it is then never taken for a
   * later revision with the same content).
   */
  private final boolean contentKnown;

  Phase phase;
  Instant since;

  /** The runtime accepted it (a pending pod); false while it waits for GPUs in this activator. */
  boolean launched;

  Instant scheduledAt;
  String url;
  boolean runtimeReady;
  int healthFailures;
  int slowProbes;

  /**
   * Requests running or waiting on it as its engine's {@code /metrics} last said (probed with its
   * health while ready or draining), or null when not known; published in {@code zs:live} for the
   * tenant API's instance list.
   */
  Integer inFlight;

  /** Its engine API key (made at planning, or read back from the runtime on adoption). */
  String engineKey;

  Tracked(String id, DeploymentSpec spec, Phase phase, Instant since) {
    this(id, spec, spec.revision(), phase, since);
  }

  Tracked(String id, DeploymentSpec spec, int revision, Phase phase, Instant since) {
    this.id = id;
    this.spec = spec;
    this.revision = revision;
    this.launchSpec = spec;
    this.contentKnown = revision == spec.revision();
    this.phase = phase;
    this.since = since;
  }

  /**
   * Follows the published spec. A published revision with the same content as what this instance
   * runs (a rollback to it, typically after a failed revision) becomes its revision: it is not an
   * old instance to replace, and its endpoint is republished with the new revision. The runtime
   * keeps the revision it was launched with, so a leader that adopts it later still replaces it
   * (safe, merely an extra boot).
   */
  void follow(DeploymentSpec published) {
    if (contentKnown
        && published.revision() != revision
        && runSpec().sameRevisionContent(published)) {
      revision = published.revision();
      launchSpec = published;
    }
    spec = published;
  }

  /**
   * The spec it runs: the published one while that is still its revision (settings fresh), else the
   * one it was launched with.
   */
  DeploymentSpec runSpec() {
    return spec.revision() == revision ? spec : launchSpec;
  }

  /** GPU type it holds (its own revision's, not the published one's). */
  String gpu() {
    return runSpec().gpu();
  }

  /** GPUs it holds. */
  int numGpus() {
    return runSpec().numGpus();
  }

  void enter(Phase next, Instant now) {
    if (next != Phase.READY && next != Phase.DRAINING) {
      inFlight = null;
    }
    phase = next;
    since = now;
  }

  InstanceView view() {
    return new InstanceView(id, phase, since, scheduledAt, revision, gpu());
  }

  /** The endpoint to publish for a ready or draining instance. */
  InstanceEndpoint endpoint(long version) {
    return new InstanceEndpoint(
        id,
        spec.id(),
        url,
        phase == Phase.READY ? InstanceEndpoint.State.READY : InstanceEndpoint.State.DRAINING,
        version,
        engineKey,
        revision);
  }

  boolean published() {
    return phase == Phase.READY || phase == Phase.DRAINING;
  }
}
