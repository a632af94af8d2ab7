package io.zeroscale.gateway.deployment;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The decisions of a deployment's revision history, without I/O: what a rollback returns to, and
 * what the activator's end of a rollout changes. The service applies them under the tenant lock.
 */
public final class Revisions {

  private Revisions() {}

  /**
   * What {@code POST …/rollback} brings back: the newest {@code active} or {@code superseded}
   * revision other than the newest one (the last one asked for). Worked cases: 1 superseded, 2
   * active → 1; 1 active, 2 rolling out → 1 (the rollout is abandoned); 1 active, 2 failed (the
   * deployment already serves 1 again) → 1, as a clean new revision 3; only revision 1 → none.
   */
  public static Optional<DeploymentRevision> rollbackTarget(List<DeploymentRevision> revisions) {
    Optional<DeploymentRevision> newest = newest(revisions);
    return revisions.stream()
        .filter(r -> newest.isPresent() && r.revision() != newest.get().revision())
        .filter(r -> r.status() == RevisionStatus.ACTIVE || r.status() == RevisionStatus.SUPERSEDED)
        .max(Comparator.comparingInt(DeploymentRevision::revision));
  }

  /** The revision with the highest number, if any. */
  public static Optional<DeploymentRevision> newest(List<DeploymentRevision> revisions) {
    return revisions.stream().max(Comparator.comparingInt(DeploymentRevision::revision));
  }

  /** What the end of a rollout changes. */
  public sealed interface Outcome {

    /** Nothing: said before (idempotent), or about a revision that is no longer rolling out. */
    record Unchanged() implements Outcome {}

    /** The revision becomes {@code active}; the one active before it {@code superseded}. */
    record Activated(int revision) implements Outcome {}

    /**
     * The revision becomes {@code failed} with {@code reason}; when {@code restore} is set, the
     * deployment goes back to that (active) revision's content and says {@code note}.
     *
     * @param restore the last active revision, or null when there is none (the deployment fails as
     *     a first revision does, by the activator's status)
     * @param note the deployment's reason after the rollback, or null without one
     */
    record Failed(int revision, String reason, DeploymentRevision restore, String note)
        implements Outcome {}
  }

  /**
   * The activator says the rollout to {@code revision} ended: {@code succeeded} once no instance of
   * another revision is left, or not when its instances failed to boot ({@code reason}). Only a
   * revision still {@code rolling_out} changes, so saying it again changes nothing; a revision that
   * is not the deployment's {@code current} one any more (a newer one was asked for meanwhile) is
   * left to that newer one's rollout. Worked case: 1 active, 2 rolling out, current 2, failed with
   * "exit code 1" → 2 failed, back to 1 with "revision 2 failed: exit code 1; serving revision 1".
   */
  public static Outcome rolloutEnded(
      List<DeploymentRevision> revisions,
      int current,
      int revision,
      boolean succeeded,
      String reason) {
    Optional<DeploymentRevision> ended =
        revisions.stream().filter(r -> r.revision() == revision).findFirst();
    if (ended.isEmpty()
        || ended.get().status() != RevisionStatus.ROLLING_OUT
        || revision != current) {
      return new Outcome.Unchanged();
    }
    if (succeeded) {
      return new Outcome.Activated(revision);
    }
    String why = reason == null || reason.isBlank() ? "its instances failed to boot" : reason;
    Optional<DeploymentRevision> active =
        revisions.stream()
            .filter(r -> r.revision() != revision && r.status() == RevisionStatus.ACTIVE)
            .max(Comparator.comparingInt(DeploymentRevision::revision));
    return active
        .<Outcome>map(
            a ->
                new Outcome.Failed(
                    revision,
                    why,
                    a,
                    "revision "
                        + revision
                        + " failed: "
                        + why
                        + "; serving revision "
                        + a.revision()))
        .orElseGet(() -> new Outcome.Failed(revision, why, null, null));
  }
}
