package io.zeroscale.activator.reconcile;

import io.zeroscale.api.DeploymentStatus;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The spend limit's say over a deployment. After a boot the limit refused, the deployment is held
 * for {@code budgetHold} (30 s by default: the tenant's held requests answer 402 at once rather
 * than boot again every tick); while held or while the tenant's limit is reached, it runs and
 * launches nothing.
 */
public final class BudgetGate {

  private BudgetGate() {}

  /**
   * A hold after a refused boot.
   *
   * @param reason what the tenant sees
   * @param until no launch before this
   */
  public record Hold(String reason, Instant until) {

    /** The hold that a refusal at {@code now} starts. */
    public static Hold after(String reason, Instant now, ActivatorPolicy policy) {
      return new Hold(reason, now.plus(policy.budgetHold()));
    }

    /** Whether it still holds at {@code now}. */
    public boolean active(Instant now) {
      return now.isBefore(until);
    }
  }

  /**
   * Why the deployment may launch nothing now (an active hold, else the tenant's limit, asked only
   * then), or null.
   */
  public static String reason(Hold hold, Instant now, Supplier<Optional<String>> exhausted) {
    if (hold != null && hold.active(now)) {
      return hold.reason();
    }
    return exhausted.get().orElse(null);
  }

  /**
   * A deployment held for the spend limit keeps nothing running and launches nothing; a refused
   * boot shows as {@code failed} with the reason (held requests answer 402 at once), a reached
   * limit as {@code scaled_to_zero} with the reason once drained.
   */
  public static Reconcile.Decision apply(Reconcile.Decision d, String reason, boolean refused) {
    DeploymentStatus status =
        d.status() == null ? null : refused ? DeploymentStatus.FAILED : d.status();
    return new Reconcile.Decision(
        d.target(), 0, d.drain(), d.stop(), status, status == null ? null : reason, d.rollout());
  }
}
