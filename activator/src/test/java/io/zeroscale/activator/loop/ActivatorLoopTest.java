package io.zeroscale.activator.loop;

import static io.zeroscale.activator.events.LifecycleEvent.Type.DRAINING;
import static io.zeroscale.activator.events.LifecycleEvent.Type.FAILED;
import static io.zeroscale.activator.events.LifecycleEvent.Type.READY;
import static io.zeroscale.activator.events.LifecycleEvent.Type.REQUESTED;
import static io.zeroscale.activator.events.LifecycleEvent.Type.SCHEDULED;
import static io.zeroscale.activator.events.LifecycleEvent.Type.STOPPED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.activator.events.EventOutbox;
import io.zeroscale.activator.events.LifecycleEvent;
import io.zeroscale.activator.reconcile.ActivatorPolicy;
import io.zeroscale.activator.reconcile.Health;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.api.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The activator's loop on hand-made ports (no processes, Redis or Spring) and a clock moved by
 * hand: every pass is one {@link Activator#tick()} driven by the test, so a fleet's life replays
 * tick by tick.
 */
class ActivatorLoopTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration SECOND = Duration.ofSeconds(1);

  /** The production defaults ({@code ActivatorProperties}), with a 30 s stop grace. */
  static final ActivatorPolicy POLICY =
      new ActivatorPolicy(
          SECOND, // tick
          Duration.ofSeconds(10), // lease TTL
          3, // failure limit
          SECOND, // backoff
          Duration.ofSeconds(60), // failure cooldown
          Duration.ofSeconds(2), // drain settle
          Duration.ofSeconds(120), // drain timeout
          Duration.ofSeconds(30), // stop grace
          3, // health failures
          Duration.ofSeconds(20), // shutdown drain
          Duration.ofSeconds(60), // missing grace
          Duration.ofSeconds(60), // stable after
          Duration.ofSeconds(15), // heartbeat every
          Duration.ofSeconds(30), // budget hold
          30, // slow probe limit
          Duration.ofSeconds(5), // status resend
          Duration.ofMillis(250), // idle poll
          Duration.ofMillis(50)); // boot poll

  final MutableClock clock = MutableClock.at(T0);
  final LoopFakes.Store store = new LoopFakes.Store();
  final LoopFakes.Runtime runtime = new LoopFakes.Runtime();
  final LoopFakes.Probe probe = new LoopFakes.Probe();
  final LoopFakes.Events events = new LoopFakes.Events();
  final LoopFakes.Heartbeats heartbeats = new LoopFakes.Heartbeats();
  final LoopFakes.Status status = new LoopFakes.Status();
  final LoopFakes.Budget budget = new LoopFakes.Budget();
  Activator activator = newActivator();

  Activator newActivator() {
    return new Activator(
        runtime, store, probe, new EventOutbox(events), heartbeats, status, budget, POLICY, clock);
  }

  static DeploymentSpec spec(String id, int min, int max) {
    return new DeploymentSpec(
        id,
        "t1",
        "acme",
        "m-" + id,
        Family.LLM,
        "hf://org/repo@main",
        "A100-80GB",
        1,
        8,
        new ScalingSettings(min, max, 300, 900, 1000, 0.7, 60, false),
        DeploymentStatus.DEPLOYING,
        null,
        1,
        1,
        EngineOptions.NONE,
        1);
  }

  /** One pass; the fakes answer at once, so it completes before block returns. */
  void tick() {
    activator.tick().block(Duration.ofSeconds(30));
  }

  void tick(Duration after) {
    clock.advance(after);
    tick();
  }

  void deploy(int desired) {
    store.deployments.put("d", spec("d", 0, 3));
    store.desired.put("d", desired);
  }

  /** Deploys one instance and runs passes until it is published as ready; answers its id. */
  String ready() {
    deploy(1);
    tick();
    String id = runtime.launches.getLast();
    probe.health(id, Health.UP);
    tick(SECOND);
    assertThat(store.endpoint("d", id)).isEqualTo(InstanceEndpoint.State.READY);
    return id;
  }

  /** Passes a second apart until a new instance launches (at most a minute); answers its id. */
  String nextLaunch() {
    int before = runtime.launches.size();
    for (int i = 0; i < 60 && runtime.launches.size() == before; i++) {
      tick(SECOND);
    }
    assertThat(runtime.launches).as("a launch within a minute").hasSize(before + 1);
    return runtime.launches.getLast();
  }

  @Test
  void bootsAnInstanceAndPublishesItOnlyOnceItsHealthAnswers() {
    deploy(1);
    tick();
    assertThat(runtime.launches).hasSize(1);
    String id = runtime.launches.getFirst();
    assertThat(events.of(id)).containsExactly(REQUESTED);
    assertThat(store.live.get("d").pending()).isEqualTo(1);

    // Scheduled (billable), booting: /health refuses, so it is not published.
    tick(SECOND);
    assertThat(events.of(id)).containsExactly(REQUESTED, SCHEDULED);
    assertThat(store.endpoint("d", id)).isNull();
    tick(SECOND);
    assertThat(store.endpoint("d", id)).isNull();
    assertThat(store.live.get("d").starting()).isEqualTo(1);

    probe.health(id, Health.UP);
    tick(SECOND);
    assertThat(store.endpoint("d", id)).isEqualTo(InstanceEndpoint.State.READY);
    assertThat(events.of(id)).containsExactly(REQUESTED, SCHEDULED, READY);
    assertThat(store.live.get("d").ready()).isEqualTo(1);
    assertThat(status.last()).isEqualTo("running");
    // A booting instance is capacity: no second boot while it started.
    assertThat(runtime.launches).hasSize(1);
  }

  @Test
  void aReadyInstancesLoadAndGpuArePublishedInTheLiveEntry() {
    deploy(1);
    tick();
    String id = runtime.launches.getFirst();
    tick(SECOND);
    assertThat(store.live.get("d").instances().getFirst().inFlight())
        .as("booting: not probed for its load")
        .isNull();
    probe.health(id, Health.UP);
    probe.inFlight(id, 3);
    tick(SECOND);
    tick(SECOND);
    var live = store.live.get("d").instances().getFirst();
    assertThat(live.inFlight()).isEqualTo(3);
    assertThat(live.gpu()).isNotNull();
    probe.inFlight(id, 0);
    tick(SECOND);
    tick(SECOND);
    assertThat(store.live.get("d").instances().getFirst().inFlight()).isZero();
  }

  @Test
  void heartbeatsNameTheInstancesHoldingGpusEveryFifteenSeconds() {
    deploy(1);
    tick();
    assertThat(heartbeats.beats).as("a pending instance holds no GPUs").isEmpty();
    tick(SECOND);
    assertThat(heartbeats.beats).hasSize(1);
    assertThat(heartbeats.beats.getFirst()).hasSize(1);
    for (int i = 0; i < 14; i++) {
      tick(SECOND);
    }
    assertThat(heartbeats.beats).hasSize(1);
    tick(SECOND);
    assertThat(heartbeats.beats).hasSize(2);
  }

  @Test
  void aCrashDuringBootIsABootFailureAndTheNextBootWaitsForTheBackoff() {
    deploy(1);
    tick();
    String first = runtime.launches.getFirst();
    tick(SECOND);
    runtime.exit(first, "exit code 1");
    tick(SECOND);
    assertThat(events.of(first)).containsExactly(REQUESTED, SCHEDULED, FAILED, STOPPED);
    assertThat(runtime.stops).containsExactly(first);
    assertThat(store.live.get("d").draining()).as("stopping").isEqualTo(1);

    // Backoff after one failure: 1 s. Nothing launches before it is over.
    tick(Duration.ofMillis(999));
    assertThat(runtime.launches).hasSize(1);
    assertThat(store.live.get("d").instances()).as("its stop confirmed: forgotten").isEmpty();
    tick(Duration.ofMillis(1));
    assertThat(runtime.launches).hasSize(2);
  }

  @Test
  void aLaunchTheRuntimeRefusesTellsTheTenantNoInternals() {
    runtime.launchError =
        new IllegalStateException(
            "io.fabric8.kubernetes.client.KubernetesClientException: Failure executing: POST at:"
                + " https://10.0.0.1:6443/api/v1/namespaces/zeroscale/pods. Message: Forbidden");
    deploy(1);
    for (int i = 0; i < 10; i++) {
      tick(Duration.ofSeconds(5));
    }
    List<LifecycleEvent> failed = events.written.stream().filter(e -> e.type() == FAILED).toList();
    assertThat(failed).hasSizeGreaterThanOrEqualTo(3);
    assertThat(failed)
        .extracting(LifecycleEvent::detail)
        .containsOnly("cannot start the instance (the runtime refused the launch)");
    assertThat(status.reports)
        .anySatisfy(r -> assertThat(r).startsWith("failed"))
        .allSatisfy(r -> assertThat(r).doesNotContain("10.0.0.1", "fabric8", "Exception"));
  }

  @Test
  void threeBootFailuresInARowMakeTheDeploymentFailedUntilAWakeUpAfterTheCooldown() {
    deploy(1);
    tick();
    List<Instant> failedAt = new ArrayList<>();
    List<Instant> launchedAt = new ArrayList<>(List.of(clock.instant()));
    for (int i = 0; i < 3; i++) {
      if (i > 0) {
        nextLaunch();
        launchedAt.add(clock.instant());
      }
      runtime.exit(runtime.launches.getLast(), "image pull failed");
      tick(SECOND);
      failedAt.add(clock.instant());
    }
    // Backoff 1 s after the first failure, 2 s after the second.
    assertThat(Duration.between(failedAt.get(0), launchedAt.get(1))).isEqualTo(SECOND);
    assertThat(Duration.between(failedAt.get(1), launchedAt.get(2)))
        .isEqualTo(Duration.ofSeconds(2));
    tick(SECOND);
    assertThat(status.last())
        .isEqualTo(
            "failed (instances failed to start 3 time(s) in a row (crash loop or image error);"
                + " last: image pull failed)");

    // Failed: nothing boots, even long after the backoff; a wake-up within the cooldown is ignored.
    for (int i = 0; i < 30; i++) {
      tick(SECOND);
    }
    store.wakeUp("d");
    tick(SECOND);
    assertThat(runtime.launches).hasSize(3);

    // After the cooldown (60 s after the third failure) a wake-up tries again.
    clock.set(failedAt.get(2).plus(Duration.ofSeconds(60)));
    tick();
    assertThat(runtime.launches).as("no retry without a wake-up").hasSize(3);
    store.wakeUp("d");
    tick(SECOND);
    assertThat(runtime.launches).hasSize(4);
  }

  @Test
  void aReadyInstanceThatRefusesThreeProbesInARowIsDrainedAndReplaced() {
    String id = ready();
    probe.health(id, Health.DOWN);
    tick(SECOND);
    tick(SECOND);
    assertThat(store.endpoint("d", id)).isEqualTo(InstanceEndpoint.State.READY);
    tick(SECOND);
    assertThat(store.endpoint("d", id)).isEqualTo(InstanceEndpoint.State.DRAINING);
    assertThat(events.written)
        .anyMatch(
            e ->
                e.instanceId().equals(id)
                    && e.type() == FAILED
                    && "failed its health probes".equals(e.detail()));
    assertThat(runtime.launches).as("a replacement").hasSize(2);
  }

  @Test
  void aReadyInstanceThatAnswersLateIsBusyNotDeadAndIsKeptUntilThirtySlowProbes() {
    String id = ready();
    probe.health(id, Health.SLOW);
    for (int i = 0; i < 29; i++) {
      tick(SECOND);
    }
    assertThat(store.endpoint("d", id)).isEqualTo(InstanceEndpoint.State.READY);
    assertThat(runtime.launches).hasSize(1);
    // One answer in time clears the count.
    probe.health(id, Health.UP);
    tick(SECOND);
    probe.health(id, Health.SLOW);
    for (int i = 0; i < 29; i++) {
      tick(SECOND);
    }
    assertThat(store.endpoint("d", id)).isEqualTo(InstanceEndpoint.State.READY);
    tick(SECOND);
    assertThat(store.endpoint("d", id)).isEqualTo(InstanceEndpoint.State.DRAINING);
    assertThat(runtime.launches).hasSize(2);
  }

  @Test
  void aScaleDownDrainsTheInstanceAndStopsItOnlyOnceItHasNothingInFlight() {
    String id = ready();
    probe.inFlight(id, 2);
    store.desired.put("d", 0);
    tick(SECOND);
    assertThat(store.endpoint("d", id)).isEqualTo(InstanceEndpoint.State.DRAINING);
    assertThat(events.of(id)).endsWith(DRAINING);
    for (int i = 0; i < 5; i++) {
      tick(SECOND);
    }
    assertThat(runtime.stops).as("two requests still in flight").isEmpty();

    probe.inFlight(id, 0);
    tick(SECOND);
    assertThat(runtime.stops).containsExactly(id);
    assertThat(store.endpoint("d", id)).isNull();
    assertThat(events.of(id)).endsWith(DRAINING, STOPPED);
    tick(SECOND);
    assertThat(store.live.get("d").instances()).isEmpty();
    assertThat(status.last()).isEqualTo("scaled_to_zero");
  }

  @Test
  void aDeletedDeploymentIsReleasedFromTheRuntimeOnceNoInstanceIsLeftThenFinalized() {
    String id = ready();
    probe.inFlight(id, 0);
    DeploymentSpec live = store.deployments.get("d");
    store.deployments.put(
        "d",
        new DeploymentSpec(
            live.id(),
            live.tenantId(),
            live.tenant(),
            live.modelName(),
            live.family(),
            live.source(),
            live.gpu(),
            live.numGpus(),
            live.maxBatchSize(),
            live.settings(),
            DeploymentStatus.DELETING,
            null,
            live.version() + 1,
            1,
            EngineOptions.NONE,
            1));
    for (int i = 0; i < 60 && !"deleted".equals(status.last()); i++) {
      tick(SECOND);
      if (runtime.stops.isEmpty()) {
        assertThat(runtime.releases).as("released while an instance runs").isEmpty();
      }
    }
    assertThat(runtime.stops).as("%s %s", status.reports, events.of(id)).containsExactly(id);
    // The tenant-token Secret (Kubernetes) goes with the deployment, before it is finalized.
    assertThat(runtime.releases).isNotEmpty().containsOnly("d");
    assertThat(status.last()).isEqualTo("deleted");
  }

  @Test
  void aDeploymentThatDisappearsFromTheStoreHasItsRuntimeSecretsFreedWithinTheSweepCadence() {
    String id = ready();
    store.deployments.put("e", spec("e", 0, 3));
    store.desired.put("e", 1);
    tick(SECOND);
    assertThat(runtime.launches).hasSize(2);
    assertThat(runtime.kept).containsExactly("d", "e");
    // Scaled to zero, then deleted: the control plane finalizes it at once, so the activator
    // never sees it deleting.
    store.desired.put("d", 0);
    probe.inFlight(id, 0);
    for (int i = 0; i < 60 && !runtime.stops.contains(id); i++) {
      tick(SECOND);
    }
    assertThat(runtime.stops).contains(id);
    store.deployments.remove("d");
    store.desired.remove("d");
    Duration waited = Duration.ZERO;
    while (runtime.kept.contains("d")
        && waited.compareTo(ActivatorPolicy.ORPHAN_SWEEP.plus(SECOND)) <= 0) {
      tick(SECOND);
      waited = waited.plus(SECOND);
    }
    assertThat(runtime.kept).as("within %s", waited).containsExactly("e");
    assertThat(waited).isLessThanOrEqualTo(ActivatorPolicy.ORPHAN_SWEEP.plus(SECOND));
    assertThat(runtime.releases).as("never seen deleting").isEmpty();
  }

  @Test
  void aFailedDeploymentsReadFreesNothingAndAnEmptyStoreFreesEverything() {
    String id = ready();
    probe.inFlight(id, 0);
    store.desired.put("d", 0);
    for (int i = 0; i < 60 && !runtime.stops.contains(id); i++) {
      tick(SECOND);
    }
    assertThat(runtime.kept).containsExactly("d");
    int sweeps = runtime.retains.size();
    store.deploymentsDown = true;
    for (int i = 0; i < 3 * ActivatorPolicy.ORPHAN_SWEEP.toSeconds(); i++) {
      clock.advance(SECOND);
      // The pass fails (the loop logs it and retries on the next tick).
      assertThatThrownBy(this::tick).hasMessageContaining("Redis timed out");
    }
    assertThat(runtime.retains).as("no sweep without the deployments").hasSize(sweeps);
    assertThat(runtime.kept).containsExactly("d");
    // Read again, the store legitimately has no deployment: everything goes.
    store.deploymentsDown = false;
    store.deployments.clear();
    store.desired.clear();
    tick(ActivatorPolicy.ORPHAN_SWEEP);
    assertThat(runtime.retains.getLast()).isEmpty();
    assertThat(runtime.kept).isEmpty();
  }

  @Test
  void anInstanceStillRunningKeepsItsDeploymentsSecretsWhileTheDeploymentIsMissing() {
    runtime.running("old", "gone", T0.minusSeconds(5));
    runtime.kept.add("gone");
    tick();
    assertThat(runtime.retains).isNotEmpty();
    assertThat(runtime.retains.getFirst()).contains("gone");
    assertThat(runtime.kept).containsExactly("gone");
  }

  @Test
  void aDrainThatNeverEndsIsCutAtTheDrainTimeout() {
    String id = ready();
    probe.inFlight(id, 1);
    store.desired.put("d", 0);
    tick(SECOND);
    tick(Duration.ofSeconds(119));
    assertThat(runtime.stops).isEmpty();
    tick(SECOND);
    assertThat(runtime.stops).containsExactly(id);
  }

  @Test
  void eachInstanceIsPublishedWithItsOwnEngineKeyWhichAnAdopterRepublishes() {
    String first = ready();
    String key = runtime.plans.get(first).engineKey();
    assertThat(key).startsWith("zse_").hasSizeGreaterThanOrEqualTo(4 + 43);
    assertThat(store.endpoints.get("d").get(first).engineKey()).isEqualTo(key);
    store.desired.put("d", 2);
    String second = nextLaunch();
    assertThat(runtime.plans.get(second).engineKey()).isNotEqualTo(key);

    // Redis restarts empty and the leader dies: the next one adopts from the runtime.
    store.endpoints.clear();
    store.leaseHolder = null;
    activator = newActivator();
    clock.advance(Duration.ofSeconds(11));
    tick();
    probe.health(first, Health.UP);
    tick(SECOND);

    assertThat(store.endpoint("d", first)).isEqualTo(InstanceEndpoint.State.READY);
    assertThat(store.endpoints.get("d").get(first).engineKey()).isEqualTo(key);
    assertThat(runtime.launches).containsExactly(first, second);
  }

  @Test
  void aNewActivatorAdoptsWhatRunsWithoutBootingAgainOrTouchingRouting() {
    String id = ready();
    long version = store.endpoints.get("d").get(id).version();
    // The leader dies; its lease expires; a new activator starts on the same fleet.
    store.leaseHolder = null;
    activator = newActivator();
    clock.advance(Duration.ofSeconds(11));
    String booting = "d-booting";
    runtime.running(booting, "d", clock.instant().minusSeconds(5));
    store.desired.put("d", 2);
    tick();

    assertThat(activator.isLeader()).isTrue();
    assertThat(runtime.launches).as("nothing booted again").containsExactly(id);
    assertThat(store.endpoint("d", id)).isEqualTo(InstanceEndpoint.State.READY);
    assertThat(store.endpoints.get("d").get(id).version()).isEqualTo(version);
    assertThat(store.live.get("d").ready()).isEqualTo(1);
    assertThat(store.live.get("d").starting()).isEqualTo(1);
    // The adopted boot is billed from when it took its GPUs, under the id the ledger dedupes on.
    LifecycleEvent scheduled =
        events.written.stream()
            .filter(e -> e.instanceId().equals(booting) && e.type() == SCHEDULED)
            .findFirst()
            .orElseThrow();
    assertThat(scheduled.at()).isEqualTo(clock.instant().minusSeconds(5));
    assertThat(scheduled.detail()).isEqualTo("adopted");

    probe.health(booting, Health.UP);
    tick(SECOND);
    assertThat(store.endpoint("d", booting)).isEqualTo(InstanceEndpoint.State.READY);
    assertThat(runtime.launches).containsExactly(id);
  }

  @Test
  void aLeaderThatLosesTheLeaseActsOnNothingAndLeavesTheInstancesToTheNextLeader() {
    String id = ready();
    store.leaseHolder = "activator-other";
    tick(SECOND);
    assertThat(activator.isLeader()).isFalse();

    int probes = probe.probes;
    store.desired.put("d", 0);
    probe.health(id, Health.DOWN);
    for (int i = 0; i < 5; i++) {
      tick(SECOND);
    }
    assertThat(probe.probes).as("a follower probes nothing").isEqualTo(probes);
    assertThat(runtime.stops).isEmpty();
    assertThat(store.endpoint("d", id)).isEqualTo(InstanceEndpoint.State.READY);

    // The lease comes back: the instance is adopted as it is published, then scaled down.
    store.leaseHolder = null;
    probe.health(id, Health.UP);
    tick(SECOND);
    assertThat(activator.isLeader()).isTrue();
    assertThat(runtime.launches).containsExactly(id);
    assertThat(store.endpoint("d", id)).isEqualTo(InstanceEndpoint.State.DRAINING);
  }

  @Test
  void whileRedisIsDownTheLeaderWaitsAndGivesUpOnlyWhenItsLeaseWouldHaveExpired() {
    String id = ready();
    store.down = true;
    tick(SECOND);
    assertThat(activator.isLeader()).as("the lease may still be ours").isTrue();
    tick(Duration.ofSeconds(8));
    assertThat(activator.isLeader()).isTrue();
    tick(SECOND);
    assertThat(activator.isLeader()).as("10 s after the last renewal").isFalse();
    assertThat(runtime.stops).isEmpty();
    assertThat(runtime.instances).containsKey(id);
  }

  @Test
  void aBootTheSpendLimitRefusesStartsNothingAndHoldsTheDeployment() {
    budget.refusal = "monthly spend limit of $100 reached";
    deploy(1);
    tick();
    assertThat(runtime.launches).isEmpty();
    assertThat(events.written)
        .extracting(LifecycleEvent::type)
        .containsExactly(REQUESTED, FAILED, STOPPED);
    assertThat(store.desired).containsEntry("d", 0);
    assertThat(store.desiredReason).containsEntry("d", "spend limit reached");
    tick(SECOND);
    assertThat(status.last()).isEqualTo("failed (monthly spend limit of $100 reached)");

    // Asked again within the hold (30 s): nothing launches, not even a reservation.
    budget.refusal = null;
    store.desired.put("d", 1);
    tick(Duration.ofSeconds(10));
    tick(Duration.ofSeconds(18));
    assertThat(budget.reserved).isEmpty();
    assertThat(runtime.launches).isEmpty();
    tick(Duration.ofSeconds(2));
    assertThat(runtime.launches).hasSize(1);
  }

  @Test
  void aTenantAtItsLimitKeepsNothingRunning() {
    String id = ready();
    budget.exhausted = "monthly spend limit of $100 reached";
    tick(SECOND);
    assertThat(store.endpoint("d", id)).isEqualTo(InstanceEndpoint.State.DRAINING);
    probe.inFlight(id, 0);
    tick(Duration.ofSeconds(2));
    assertThat(runtime.stops).containsExactly(id);
    tick(SECOND);
    assertThat(status.last()).isEqualTo("scaled_to_zero (monthly spend limit of $100 reached)");
    assertThat(runtime.launches).hasSize(1);
  }
}
