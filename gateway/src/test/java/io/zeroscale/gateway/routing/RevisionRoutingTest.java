package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.InstanceEndpoint.State;
import io.zeroscale.api.ScalingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Requests go to the current revision's ready instances once it has any, else to the others. */
class RevisionRoutingTest {

  private final DeploymentDirectory dir = new DeploymentDirectory();
  private final InstanceDirectory instances = new InstanceDirectory(() -> 0L);
  private final Routing routing = new Routing(dir, instances, () -> 0L);

  private static DeploymentSpec spec(int revision, long version) {
    return new DeploymentSpec(
        "d1",
        "t1",
        "acme",
        "chat",
        Family.LLM,
        "hf://a/b@main",
        "A100-80GB",
        1,
        8,
        new ScalingSettings(0, 2, 300, 900, 1000, 0.7, 60, true),
        DeploymentStatus.RUNNING,
        null,
        version,
        revision,
        EngineOptions.NONE,
        1);
  }

  private static InstanceEndpoint endpoint(String id, State state, int revision, long version) {
    return new InstanceEndpoint(id, "d1", "http://" + id, state, version, "key-" + id, revision);
  }

  private static List<String> instancesOf(DeploymentQueue q, int requests) {
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      q.acquire().subscribe(l -> chosen.add(l.instanceId()));
    }
    return chosen;
  }

  @Test
  void selectKeepsEveryoneWhileTheCurrentRevisionHasNoReadyInstance() {
    List<InstanceEndpoint> all =
        List.of(
            endpoint("a", State.READY, 1, 1),
            endpoint("b", State.DRAINING, 2, 1),
            endpoint("c", State.READY, 0, 1));
    assertThat(RevisionSelection.select(all, 2)).isEqualTo(all);
  }

  @Test
  void selectDrainsTheOtherRevisionsOnceTheCurrentOneHasAReadyInstance() {
    List<InstanceEndpoint> all =
        List.of(
            endpoint("a", State.READY, 1, 1),
            endpoint("b", State.READY, 2, 1),
            endpoint("c", State.READY, 0, 1),
            endpoint("d", State.DRAINING, 2, 1));
    List<InstanceEndpoint> selected = RevisionSelection.select(all, 2);
    assertThat(selected)
        .extracting(InstanceEndpoint::id, InstanceEndpoint::state)
        .containsExactly(
            tuple("a", State.DRAINING),
            tuple("b", State.READY),
            tuple("c", State.DRAINING),
            tuple("d", State.DRAINING));
    assertThat(selected.getFirst().url()).isEqualTo("http://a");
    assertThat(selected.getFirst().engineKey()).isEqualTo("key-a");
    assertThat(selected.getFirst().revision()).isEqualTo(1);
  }

  @Test
  void aRolloutMovesNewRequestsToTheNewRevisionOnceItIsReadyAndOldLeasesStillComeBack() {
    dir.apply(spec(1, 1));
    instances.apply(endpoint("old", State.READY, 1, 1));
    DeploymentQueue q = routing.queue(spec(1, 1));
    List<SlotLease> held = new ArrayList<>();
    q.acquire().subscribe(held::add);
    assertThat(held).singleElement().satisfies(l -> assertThat(l.instanceId()).isEqualTo("old"));

    // Revision 2 is published; its instance boots: the old one keeps serving.
    dir.apply(spec(2, 2));
    assertThat(instancesOf(q, 1)).containsExactly("old");

    // The new instance is ready: every new request goes there, none to the old one, although
    // the old one has free slots and fewer requests (least outstanding alone would pick it).
    instances.apply(endpoint("new", State.READY, 2, 1));
    assertThat(instancesOf(q, 6)).containsOnly("new").hasSize(6);
    assertThat(q.inFlightByInstance()).isEqualTo(Map.of("old", 2, "new", 6));

    // A lease on the old instance still comes back (no stream is cut).
    held.getFirst().release();
    assertThat(q.inFlightByInstance()).containsEntry("old", 1);
  }

  @Test
  void anAutomaticRollbackToTheOldRevisionRoutesBackToItsInstances() {
    dir.apply(spec(2, 2));
    instances.apply(endpoint("old", State.READY, 1, 1));
    instances.apply(endpoint("new", State.READY, 2, 1));
    DeploymentQueue q = routing.queue(spec(2, 2));
    assertThat(instancesOf(q, 3)).containsOnly("new").hasSize(3);

    dir.apply(spec(1, 3));
    assertThat(instancesOf(q, 5)).containsOnly("old").hasSize(5);
  }
}
