package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeploymentDirectoryTest {

  private static final ScalingSettings SETTINGS =
      new ScalingSettings(0, 1, 300, 900, 1000, 0.7, 60, true);

  private static DeploymentSpec spec(
      String id, String tenant, String name, DeploymentStatus status, long v) {
    return new DeploymentSpec(
        id,
        "t-" + tenant,
        tenant,
        name,
        Family.LLM,
        "hf://a/b@main",
        "A100-80GB",
        1,
        8,
        SETTINGS,
        status,
        null,
        v,
        1,
        EngineOptions.NONE,
        1);
  }

  private final DeploymentDirectory dir = new DeploymentDirectory();

  @Test
  void resolvesByNameAndByFullNameOfTheOwnTenantOnly() {
    dir.apply(spec("d1", "acme", "chat", DeploymentStatus.RUNNING, 1));
    dir.apply(spec("d2", "other", "chat", DeploymentStatus.RUNNING, 1));
    assertThat(dir.resolve("t-acme", "acme", "chat"))
        .get()
        .extracting(DeploymentSpec::id)
        .isEqualTo("d1");
    assertThat(dir.resolve("t-acme", "acme", "acme/chat"))
        .get()
        .extracting(DeploymentSpec::id)
        .isEqualTo("d1");
    assertThat(dir.resolve("t-acme", "acme", "other/chat")).isEmpty();
    assertThat(dir.resolve("t-acme", "acme", "nope")).isEmpty();
  }

  @Test
  void olderVersionsNeverOverwriteNewerOnes() {
    dir.apply(spec("d1", "acme", "chat", DeploymentStatus.RUNNING, 5));
    assertThat(dir.apply(spec("d1", "acme", "chat", DeploymentStatus.PENDING, 4))).isFalse();
    assertThat(dir.byId("d1"))
        .get()
        .extracting(DeploymentSpec::status)
        .isEqualTo(DeploymentStatus.RUNNING);
    assertThat(dir.apply(spec("d1", "acme", "chat", DeploymentStatus.SCALED_TO_ZERO, 6))).isTrue();
    assertThat(dir.byId("d1"))
        .get()
        .extracting(DeploymentSpec::status)
        .isEqualTo(DeploymentStatus.SCALED_TO_ZERO);
  }

  @Test
  void deletedPublicationsRemoveAndNotify() {
    List<String> removed = new ArrayList<>();
    dir.onRemoved(s -> removed.add(s.id()));
    dir.apply(spec("d1", "acme", "chat", DeploymentStatus.RUNNING, 1));
    dir.apply(spec("d1", "acme", "chat", DeploymentStatus.DELETED, 2));
    assertThat(dir.byId("d1")).isEmpty();
    assertThat(dir.resolve("t-acme", "acme", "chat")).isEmpty();
    assertThat(removed).containsExactly("d1");
  }

  @Test
  void aFullListingReportsWhatIsMissingWithoutDroppingIt() {
    dir.apply(spec("d1", "acme", "chat", DeploymentStatus.RUNNING, 1));
    dir.apply(spec("d2", "acme", "embed", DeploymentStatus.RUNNING, 1));
    assertThat(dir.applyAll(List.of(spec("d2", "acme", "embed", DeploymentStatus.RUNNING, 1))))
        .containsExactly("d1");
    assertThat(dir.byId("d1")).as("kept until the caller decides").isPresent();
    dir.remove("d1");
    assertThat(dir.resolve("t-acme", "acme", "chat")).isEmpty();
  }

  @Test
  void aRenameByANewerVersionMovesTheName() {
    dir.apply(spec("d1", "acme", "chat", DeploymentStatus.RUNNING, 1));
    dir.apply(spec("d1", "acme", "chat2", DeploymentStatus.RUNNING, 2));
    assertThat(dir.resolve("t-acme", "acme", "chat")).isEmpty();
    assertThat(dir.resolve("t-acme", "acme", "chat2")).isPresent();
  }

  @Test
  void aDeletionIsNotUndoneByASnapshotReadBeforeIt() {
    dir.apply(spec("d1", "acme", "chat", DeploymentStatus.RUNNING, 3));
    dir.apply(spec("d1", "acme", "chat", DeploymentStatus.DELETED, 4));
    assertThat(dir.apply(spec("d1", "acme", "chat", DeploymentStatus.RUNNING, 3))).isFalse();
    assertThat(dir.applyAll(List.of(spec("d1", "acme", "chat", DeploymentStatus.RUNNING, 3))))
        .isEmpty();
    assertThat(dir.resolve("t-acme", "acme", "chat")).isEmpty();
  }

  @Test
  void routingRefusesAQueueForADeploymentThatIsGone() {
    Routing routing = new Routing(dir, new InstanceDirectory(() -> 0L), () -> 0L);
    DeploymentSpec chat = spec("d1", "acme", "chat", DeploymentStatus.RUNNING, 1);
    dir.apply(chat);
    DeploymentQueue q = routing.queue(chat);
    dir.apply(spec("d1", "acme", "chat", DeploymentStatus.DELETED, 2));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> routing.queue(chat))
        .isInstanceOf(Routing.DeploymentGone.class);
    reactor.test.StepVerifier.create(q.acquire())
        .expectError(Routing.DeploymentGone.class)
        .verify(java.time.Duration.ofSeconds(1));
  }
}
