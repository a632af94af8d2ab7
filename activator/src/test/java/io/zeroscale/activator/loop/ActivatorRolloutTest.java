package io.zeroscale.activator.loop;

import static io.zeroscale.activator.events.LifecycleEvent.Type.DRAINING;
import static io.zeroscale.activator.events.LifecycleEvent.Type.READY;
import static io.zeroscale.activator.events.LifecycleEvent.Type.STOPPED;
import static io.zeroscale.activator.loop.ActivatorLoopTest.POLICY;
import static io.zeroscale.activator.loop.ActivatorLoopTest.SECOND;
import static io.zeroscale.activator.loop.ActivatorLoopTest.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.activator.events.EventOutbox;
import io.zeroscale.activator.events.InstanceEvent;
import io.zeroscale.activator.events.LifecycleEvent;
import io.zeroscale.activator.reconcile.Health;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.testing.MutableClock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Rollouts on the loop's fakes, pass by pass: a deployment at two instances on A100s moves to
 * revision 2 on H100s (surge 1), or to a revision whose instances crash at boot.
 */
class ActivatorRolloutTest {

  final MutableClock clock = MutableClock.at(T0);
  final LoopFakes.Store store = new LoopFakes.Store();
  final LoopFakes.Runtime runtime = new LoopFakes.Runtime();
  final LoopFakes.Probe probe = new LoopFakes.Probe();
  final LoopFakes.Events events = new LoopFakes.Events();
  final LoopFakes.Status status = new LoopFakes.Status();
  Activator activator = newActivator();

  Activator newActivator() {
    return new Activator(
        runtime,
        store,
        probe,
        new EventOutbox(events),
        new LoopFakes.Heartbeats(),
        status,
        new LoopFakes.Budget(),
        POLICY,
        clock);
  }

  /** Revision 2 of the deployment: H100s, an engine option, the given surge. */
  static DeploymentSpec revision2(int surge) {
    DeploymentSpec v1 = ActivatorLoopTest.spec("d", 0, 3);
    return new DeploymentSpec(
        v1.id(),
        v1.tenantId(),
        v1.tenant(),
        v1.modelName(),
        v1.family(),
        "hf://org/repo@v2",
        "H100",
        1,
        v1.maxBatchSize(),
        v1.settings(),
        v1.status(),
        null,
        2,
        2,
        new EngineOptions(null, null, true, null, null, null, null, null),
        surge);
  }

  void tick(Duration after) {
    clock.advance(after);
    activator.tick().block(Duration.ofSeconds(30));
  }

  /** Two instances of revision 1 on A100s, ready; answers their ids. */
  List<String> twoReady() {
    store.deployments.put("d", ActivatorLoopTest.spec("d", 0, 3));
    store.desired.put("d", 2);
    tick(Duration.ZERO);
    List<String> ids = List.copyOf(runtime.launches);
    assertThat(ids).hasSize(2);
    ids.forEach(id -> probe.health(id, Health.UP));
    tick(SECOND);
    ids.forEach(id -> assertThat(store.endpoint("d", id)).isEqualTo(InstanceEndpoint.State.READY));
    return ids;
  }

  int revisionOf(String instanceId) {
    return runtime.plans.get(instanceId).deployment().revision();
  }

  /** Endpoints published as ready, by instance id, with the revision each was published with. */
  Map<String, Integer> readyEndpoints() {
    Map<String, Integer> out = new java.util.HashMap<>();
    store
        .endpoints
        .getOrDefault("d", Map.of())
        .forEach(
            (id, e) -> {
              if (e.state() == InstanceEndpoint.State.READY) {
                out.put(id, e.revision());
              }
            });
    return out;
  }

  List<String> reportsOf(String revision) {
    return status.reports.stream().filter(r -> r.startsWith("revision " + revision)).toList();
  }

  @Test
  void aRolloutReplacesBothInstancesOneAtATimeWithoutEverServingFromFewerThanTwo() {
    List<String> old = twoReady();
    store.deployments.put("d", revision2(1));

    Set<String> seen = new HashSet<>(old);
    int mostAtOnce = 0;
    for (int i = 0; i < 60; i++) {
      tick(SECOND);
      for (String id : runtime.launches) {
        if (seen.add(id)) {
          assertThat(revisionOf(id)).isEqualTo(2);
          probe.health(id, Health.UP);
        }
        probe.inFlight(id, 0);
      }
      // Every pass: two ready endpoints to route to (an old one drains only once its replacement
      // is ready), and never more than target + surge instances serving or booting.
      assertThat(readyEndpoints()).as("ready endpoints after pass %d", i).hasSize(2);
      var live = store.live.get("d");
      mostAtOnce = Math.max(mostAtOnce, live.pending() + live.starting() + live.ready());
    }
    assertThat(mostAtOnce).isEqualTo(3);

    // Only revision 2 is left, on H100s with its engine option; published with its revision.
    assertThat(runtime.instances.keySet()).hasSize(2).doesNotContainAnyElementsOf(old);
    runtime.instances.keySet().forEach(id -> assertThat(revisionOf(id)).isEqualTo(2));
    runtime
        .instances
        .keySet()
        .forEach(id -> assertThat(runtime.plans.get(id).deployment().gpu()).isEqualTo("H100"));
    assertThat(readyEndpoints()).containsOnlyKeys(runtime.instances.keySet());
    assertThat(readyEndpoints().values()).containsOnly(2);
    assertThat(store.live.get("d").instances())
        .allSatisfy(i -> assertThat(i.revision()).isEqualTo(2));

    // The old ones drained, then stopped, and were billed at their own A100s to the end.
    for (String id : old) {
      List<LifecycleEvent.Type> types = events.of(id);
      assertThat(types.subList(types.size() - 2, types.size())).containsExactly(DRAINING, STOPPED);
      assertThat(events.written.stream().filter(e -> e.instanceId().equals(id)))
          .allSatisfy(e -> assertThat(e.gpu()).isEqualTo("A100-80GB"));
    }
    assertThat(events.written.stream().filter(e -> !old.contains(e.instanceId())))
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.gpu()).isEqualTo("H100"));

    // The tenant's event list tells the revisions apart.
    List<InstanceEvent> visible = store.visibleEvents.get("d");
    assertThat(visible)
        .filteredOn(e -> old.contains(e.instanceId()) && e.type() == DRAINING)
        .hasSize(2)
        .allSatisfy(e -> assertThat(e.revision()).isEqualTo(1));
    assertThat(visible)
        .filteredOn(e -> !old.contains(e.instanceId()) && e.type() == READY)
        .hasSize(2)
        .allSatisfy(
            e -> {
              assertThat(e.revision()).isEqualTo(2);
              assertThat(e.gpu()).isEqualTo("H100");
            });

    // Said once, though every later pass sees the same.
    assertThat(reportsOf("2")).containsExactly("revision 2 active");
    assertThat(reportsOf("1")).containsExactly("revision 1 active");
  }

  @Test
  void aRevisionThatCannotBootLeavesTheOldInstancesServingAndIsReportedFailedOnce() {
    List<String> old = twoReady();
    store.deployments.put("d", revision2(1));

    Set<String> crashed = new HashSet<>(old);
    for (int i = 0; i < 60; i++) {
      tick(SECOND);
      for (String id : runtime.launches) {
        if (crashed.add(id)) {
          runtime.exit(id, "exit code 1");
        }
      }
      assertThat(readyEndpoints()).as("ready endpoints after pass %d", i).containsOnlyKeys(old);
    }
    assertThat(crashed).as("three boots of revision 2, then none").hasSize(2 + 3);
    assertThat(reportsOf("2"))
        .containsExactly(
            "revision 2 failed (instances failed to start 3 time(s) in a row (crash loop or image"
                + " error); last: exit code 1)");
    assertThat(status.reports).doesNotContain("failed");
    for (String id : old) {
      assertThat(events.of(id)).doesNotContain(DRAINING, STOPPED);
    }

    // The control plane returns the deployment to revision 1, running, with its reason: nothing
    // boots or stops, and the reason is not the activator's to clear.
    DeploymentSpec v1 = ActivatorLoopTest.spec("d", 0, 3);
    store.deployments.put(
        "d",
        new DeploymentSpec(
            v1.id(),
            v1.tenantId(),
            v1.tenant(),
            v1.modelName(),
            v1.family(),
            v1.source(),
            v1.gpu(),
            v1.numGpus(),
            v1.maxBatchSize(),
            v1.settings(),
            DeploymentStatus.RUNNING,
            "revision 2 failed: instances failed to start; serving revision 1",
            3,
            1,
            v1.engine(),
            1));
    int launches = runtime.launches.size();
    int reports = status.reports.size();
    for (int i = 0; i < 10; i++) {
      tick(SECOND);
    }
    assertThat(runtime.launches).hasSize(launches);
    assertThat(readyEndpoints()).containsOnlyKeys(old);
    assertThat(status.reports.subList(reports, status.reports.size()))
        .as("back on revision 1: its end, and no status report that would clear the reason")
        .containsExactly("revision 1 active");
  }

  @Test
  void aNewLeaderMidRolloutTellsTheRevisionsApartAndCarriesOn() {
    List<String> old = twoReady();
    store.deployments.put("d", revision2(1));
    tick(SECOND);
    String first = runtime.launches.getLast();
    assertThat(revisionOf(first)).isEqualTo(2);

    // The leader dies mid-rollout; the next one adopts both revisions from the runtime's word.
    store.leaseHolder = null;
    activator = newActivator();
    clock.advance(Duration.ofSeconds(11));
    probe.health(first, Health.UP);
    Set<String> seen = new HashSet<>(runtime.launches);
    for (int i = 0; i < 60; i++) {
      tick(SECOND);
      for (String id : runtime.launches) {
        if (seen.add(id)) {
          probe.health(id, Health.UP);
        }
        probe.inFlight(id, 0);
      }
      assertThat(readyEndpoints()).as("ready endpoints after pass %d", i).hasSize(2);
    }
    assertThat(runtime.launches).as("one more new instance, none booted twice").hasSize(4);
    assertThat(runtime.instances.keySet()).hasSize(2).doesNotContainAnyElementsOf(old);
    assertThat(reportsOf("2")).containsExactly("revision 2 active");
  }

  /**
   * A rollback to what the instances still run (revision 3 = revision 1's content, while revision 2
   * boots) keeps them: they take revision 3, revision 2's booting instance stops, nothing new
   * boots, and revision 3 is active at once.
   */
  @Test
  void aRollbackToWhatTheInstancesRunKeepsThemAndStopsTheNewRevision() {
    List<String> old = twoReady();
    store.deployments.put("d", revision2(1));
    tick(SECOND);
    String booting = runtime.launches.getLast();
    assertThat(revisionOf(booting)).isEqualTo(2);

    DeploymentSpec v1 = ActivatorLoopTest.spec("d", 0, 3);
    store.deployments.put(
        "d",
        new DeploymentSpec(
            v1.id(),
            v1.tenantId(),
            v1.tenant(),
            v1.modelName(),
            v1.family(),
            v1.source(),
            v1.gpu(),
            v1.numGpus(),
            v1.maxBatchSize(),
            v1.settings(),
            v1.status(),
            null,
            3,
            3,
            v1.engine(),
            1));
    for (int i = 0; i < 5; i++) {
      tick(SECOND);
      old.forEach(id -> probe.inFlight(id, 0));
    }
    assertThat(runtime.instances.keySet()).containsExactlyInAnyOrderElementsOf(old);
    assertThat(runtime.launches).hasSize(3);
    assertThat(readyEndpoints()).containsOnlyKeys(old);
    assertThat(readyEndpoints().values()).containsOnly(3);
    assertThat(reportsOf("3")).containsExactly("revision 3 active");
    old.forEach(id -> assertThat(events.of(id)).doesNotContain(DRAINING, STOPPED));
  }

  @Test
  void aDeploymentAtZeroSwitchesAtOnceAndWakesOnTheNewRevision() {
    store.deployments.put("d", ActivatorLoopTest.spec("d", 0, 3));
    tick(Duration.ZERO);
    store.deployments.put("d", revision2(1));
    tick(SECOND);
    assertThat(reportsOf("2")).containsExactly("revision 2 active");
    assertThat(runtime.launches).isEmpty();

    store.wakeUp("d");
    tick(SECOND);
    assertThat(runtime.launches).hasSize(1);
    assertThat(revisionOf(runtime.launches.getFirst())).isEqualTo(2);
  }
}
