package io.zeroscale.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.EngineOptions;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Revision history decisions: what changed, what a rollback returns to, a rollout's end. */
class RevisionsTest {

  static final UUID DEP = UUID.fromString("00000000-0000-0000-0000-0000000000d1");
  static final UUID MODEL_A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
  static final UUID MODEL_B = UUID.fromString("00000000-0000-0000-0000-00000000000b");
  static final RevisionContent A100 =
      new RevisionContent(MODEL_A, "hf://o/a@main", "A100-80GB", 1, 64, EngineOptions.NONE);
  static final RevisionContent H100 =
      new RevisionContent(
          MODEL_A,
          "hf://o/a@main",
          "H100-80GB",
          1,
          64,
          new EngineOptions(null, null, true, null, null, null, null, null));

  static DeploymentRevision rev(int n, RevisionContent c, RevisionStatus status) {
    return new DeploymentRevision(
        DEP, n, c, "a", List.of(), status, null, Instant.parse("2026-12-01T00:00:00Z"));
  }

  @Test
  void changedNamesEachFieldARevisionFixesInOrder() {
    assertThat(A100.changedFrom(A100)).isEmpty();
    assertThat(H100.changedFrom(A100)).containsExactly("gpu", "engine");
    RevisionContent all =
        new RevisionContent(
            MODEL_B,
            "hf://o/b@v2",
            "H100-80GB",
            2,
            32,
            new EngineOptions(null, new BigDecimal("0.8"), null, null, null, null, null, null));
    assertThat(all.changedFrom(A100))
        .containsExactly("model", "gpu", "num_gpus", "max_batch_size", "engine");
    assertThat(new RevisionContent(MODEL_A, "x", "A100-80GB", 1, 64, null).engine())
        .isEqualTo(EngineOptions.NONE);
  }

  @Test
  void rollbackReturnsToTheNewestActiveOrSupersededRevisionBeforeTheLastOneAskedFor() {
    assertThat(Revisions.rollbackTarget(List.of(rev(1, A100, RevisionStatus.ACTIVE)))).isEmpty();
    assertThat(Revisions.rollbackTarget(List.of())).isEmpty();
    assertThat(
            Revisions.rollbackTarget(
                List.of(
                    rev(3, A100, RevisionStatus.ACTIVE),
                    rev(2, H100, RevisionStatus.SUPERSEDED),
                    rev(1, A100, RevisionStatus.SUPERSEDED))))
        .get()
        .extracting(DeploymentRevision::revision)
        .isEqualTo(2);
    // A rollout under way is abandoned for the active revision.
    assertThat(
            Revisions.rollbackTarget(
                List.of(
                    rev(2, H100, RevisionStatus.ROLLING_OUT), rev(1, A100, RevisionStatus.ACTIVE))))
        .get()
        .extracting(DeploymentRevision::revision)
        .isEqualTo(1);
    // After an automatic rollback the deployment serves 1 again; a rollback makes that clean.
    assertThat(
            Revisions.rollbackTarget(
                List.of(rev(2, H100, RevisionStatus.FAILED), rev(1, A100, RevisionStatus.ACTIVE))))
        .get()
        .extracting(DeploymentRevision::revision)
        .isEqualTo(1);
    // Failed revisions are never a target.
    assertThat(
            Revisions.rollbackTarget(
                List.of(rev(2, H100, RevisionStatus.ACTIVE), rev(1, A100, RevisionStatus.FAILED))))
        .isEmpty();
  }

  @Test
  void aRolloutThatSucceededActivatesItsRevisionOnce() {
    List<DeploymentRevision> history =
        List.of(rev(2, H100, RevisionStatus.ROLLING_OUT), rev(1, A100, RevisionStatus.ACTIVE));
    assertThat(Revisions.rolloutEnded(history, 2, 2, true, null))
        .isEqualTo(new Revisions.Outcome.Activated(2));
    List<DeploymentRevision> after =
        List.of(rev(2, H100, RevisionStatus.ACTIVE), rev(1, A100, RevisionStatus.SUPERSEDED));
    assertThat(Revisions.rolloutEnded(after, 2, 2, true, null))
        .as("said again")
        .isInstanceOf(Revisions.Outcome.Unchanged.class);
    assertThat(Revisions.rolloutEnded(history, 2, 7, true, null))
        .as("unknown revision")
        .isInstanceOf(Revisions.Outcome.Unchanged.class);
  }

  @Test
  void aRevisionThatIsNoLongerCurrentIsLeftToTheNewerRollout() {
    List<DeploymentRevision> history =
        List.of(rev(2, H100, RevisionStatus.ROLLING_OUT), rev(1, A100, RevisionStatus.ACTIVE));
    assertThat(Revisions.rolloutEnded(history, 1, 2, true, null))
        .isInstanceOf(Revisions.Outcome.Unchanged.class);
    assertThat(Revisions.rolloutEnded(history, 1, 2, false, "boom"))
        .isInstanceOf(Revisions.Outcome.Unchanged.class);
  }

  @Test
  void aFailedRolloutGoesBackToTheLastActiveRevisionAndSaysWhy() {
    DeploymentRevision one = rev(1, A100, RevisionStatus.ACTIVE);
    List<DeploymentRevision> history =
        List.of(rev(3, H100, RevisionStatus.ROLLING_OUT), rev(2, H100, RevisionStatus.FAILED), one);
    assertThat(Revisions.rolloutEnded(history, 3, 3, false, "exit code 1"))
        .isEqualTo(
            new Revisions.Outcome.Failed(
                3, "exit code 1", one, "revision 3 failed: exit code 1; serving revision 1"));
    assertThat(Revisions.rolloutEnded(history, 3, 3, false, null))
        .extracting(o -> ((Revisions.Outcome.Failed) o).note())
        .isEqualTo("revision 3 failed: its instances failed to boot; serving revision 1");
    List<DeploymentRevision> failedAlready =
        List.of(rev(3, H100, RevisionStatus.FAILED), rev(2, H100, RevisionStatus.FAILED), one);
    assertThat(Revisions.rolloutEnded(failedAlready, 1, 3, false, "exit code 1"))
        .as("idempotent")
        .isInstanceOf(Revisions.Outcome.Unchanged.class);
  }

  @Test
  void aFailedRolloutWithNoActiveRevisionFailsWithoutARollback() {
    List<DeploymentRevision> history =
        List.of(rev(2, H100, RevisionStatus.ROLLING_OUT), rev(1, A100, RevisionStatus.FAILED));
    assertThat(Revisions.rolloutEnded(history, 2, 2, false, "oom"))
        .isEqualTo(new Revisions.Outcome.Failed(2, "oom", null, null));
  }

  @Test
  void aRevisionShowsItsContentStatusAndWhatChanged() {
    DeploymentRevision r =
        new DeploymentRevision(
            DEP,
            2,
            H100,
            "a",
            List.of("gpu", "engine"),
            RevisionStatus.ROLLING_OUT,
            null,
            Instant.parse("2026-12-01T00:00:00Z"));
    Map<String, Object> json = r.json();
    assertThat(json.keySet())
        .containsExactly(
            "object",
            "revision",
            "changed",
            "model_id",
            "model",
            "source",
            "gpu",
            "num_gpus",
            "max_batch_size",
            "engine",
            "status",
            "reason",
            "created_at");
    assertThat(json)
        .containsEntry("object", "deployment_revision")
        .containsEntry("revision", 2)
        .containsEntry("changed", List.of("gpu", "engine"))
        .containsEntry("model_id", MODEL_A.toString())
        .containsEntry("gpu", "H100-80GB")
        .containsEntry("engine", Map.of("enable_prefix_caching", true))
        .containsEntry("status", "rolling_out")
        .containsEntry("reason", null)
        .containsEntry("created_at", "2026-12-01T00:00:00Z");
  }
}
