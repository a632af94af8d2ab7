package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a deployment's status reaches the requests held for it. */
class RoutingTest {

  private final DeploymentDirectory dir = new DeploymentDirectory();
  private final InstanceDirectory instances = new InstanceDirectory(() -> 0L);
  private final Routing routing = new Routing(dir, instances, () -> 0L);

  private static DeploymentSpec spec(DeploymentStatus status, String reason, long version) {
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
        new ScalingSettings(0, 1, 300, 900, 1000, 0.7, 60, true),
        status,
        reason,
        version,
        1,
        EngineOptions.NONE,
        1);
  }

  private static List<Throwable> hold(DeploymentQueue q, int n) {
    List<Throwable> errors = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      q.acquire().subscribe(l -> {}, errors::add);
    }
    return errors;
  }

  @Test
  void aFailedDeploymentFailsItsHeldRequestsWithItsReasonAndHoldsAgainWhenRetried() {
    dir.apply(spec(DeploymentStatus.DEPLOYING, null, 1));
    DeploymentQueue q = routing.queue(spec(DeploymentStatus.DEPLOYING, null, 1));
    List<Throwable> held = hold(q, 2);

    dir.apply(spec(DeploymentStatus.FAILED, "crash loop: exit code 1", 2));
    assertThat(held)
        .hasSize(2)
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOf(Routing.DeploymentFailed.class)
                    .hasMessage("The model `acme/chat` failed to start: crash loop: exit code 1"));
    assertThat(hold(q, 1))
        .as("new requests fail at once")
        .singleElement()
        .isInstanceOf(Routing.DeploymentFailed.class);

    dir.apply(spec(DeploymentStatus.DEPLOYING, null, 3));
    assertThat(hold(q, 1)).as("held again").isEmpty();
    assertThat(q.queued()).isEqualTo(1);
  }

  @Test
  void aQueueCreatedForAFailedDeploymentRefusesFromTheStart() {
    DeploymentSpec failed = spec(DeploymentStatus.FAILED, null, 1);
    dir.apply(failed);
    assertThat(hold(routing.queue(failed), 1))
        .singleElement()
        .satisfies(e -> assertThat(e).hasMessage("The model `acme/chat` failed to start."));
  }

  @Test
  void deletingFailsHeldRequestsWith404AndTheModelIsNoLongerFound() {
    dir.apply(spec(DeploymentStatus.SCALED_TO_ZERO, null, 1));
    DeploymentQueue q = routing.queue(spec(DeploymentStatus.SCALED_TO_ZERO, null, 1));
    List<Throwable> held = hold(q, 2);

    dir.apply(spec(DeploymentStatus.DELETING, null, 2));
    assertThat(held)
        .hasSize(2)
        .allSatisfy(e -> assertThat(e).isInstanceOf(Routing.DeploymentGone.class));
    assertThat(dir.resolve("t1", "acme", "chat")).isEmpty();
    assertThatThrownBy(() -> routing.queue(spec(DeploymentStatus.SCALED_TO_ZERO, null, 1)))
        .isInstanceOf(Routing.DeploymentGone.class);
    assertThat(dir.apply(spec(DeploymentStatus.DELETED, null, 3))).as("already gone").isFalse();
    assertThat(dir.apply(spec(DeploymentStatus.SCALED_TO_ZERO, null, 2)))
        .as("no going back")
        .isFalse();
  }
}
