package io.zeroscale.billing.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * How the ledger row of one instance follows from what is known about it: a pure function of the
 * facts (its events and last heartbeat), never of the order in which they arrived, so replays,
 * duplicates and out-of-order delivery all converge to the same row.
 *
 * <ul>
 *   <li>no {@code scheduled} event: not billable (yet); a {@code stopped} that came first waits for
 *       it;
 *   <li>{@code scheduled}: billable from its time, at the price captured the first time the ledger
 *       saw the instance (a later price change never touches it);
 *   <li>{@code stopped}: closed at its time (never before the start). Final;
 *   <li>no {@code stopped} and nothing heard for {@code heartbeatTimeout}: its activator died;
 *       closed at the last heartbeat (or at the start if none ever came). A later {@code stopped}
 *       still wins, and a heartbeat that resumes (another leader adopted it) reopens it.
 * </ul>
 */
public final class LedgerRules {

  private LedgerRules() {}

  /**
   * What the ledger knows about one instance.
   *
   * @param scheduledAt its {@code scheduled} event's time, or null
   * @param stoppedAt its {@code stopped} event's time, or null
   * @param lastHeartbeat the last heartbeat, or null
   * @param capturedPrice the price already on its ledger row, if it has one
   */
  public record Facts(
      String instanceId,
      UUID tenantId,
      UUID deploymentId,
      String gpu,
      int numGpus,
      Instant scheduledAt,
      Instant stoppedAt,
      Instant lastHeartbeat,
      OptionalLong capturedPrice) {}

  /** The row the ledger should hold. */
  public record Row(
      String instanceId,
      UUID tenantId,
      UUID deploymentId,
      String gpu,
      int numGpus,
      long microsPerGpuHour,
      Instant startedAt,
      Instant endedAt,
      String endSource) {}

  /**
   * The row for these facts, or empty when the instance is not billable or its price is unknown.
   *
   * @param currentPrice the catalog's price of the instance's GPU type now, if it has one
   */
  public static Optional<Row> project(
      Facts f, OptionalLong currentPrice, Instant now, Duration heartbeatTimeout) {
    Objects.requireNonNull(f, "facts");
    if (f.scheduledAt() == null) {
      return Optional.empty();
    }
    OptionalLong price = f.capturedPrice().isPresent() ? f.capturedPrice() : currentPrice;
    if (price.isEmpty()) {
      return Optional.empty();
    }
    Instant start = f.scheduledAt();
    Instant end = null;
    String source = null;
    if (f.stoppedAt() != null) {
      end = later(start, f.stoppedAt());
      source = "stopped";
    } else {
      Instant lastSeen = f.lastHeartbeat() != null ? later(start, f.lastHeartbeat()) : start;
      if (!now.isBefore(lastSeen.plus(heartbeatTimeout))) {
        end = lastSeen;
        source = "heartbeat";
      }
    }
    return Optional.of(
        new Row(
            f.instanceId(),
            f.tenantId(),
            f.deploymentId(),
            f.gpu(),
            f.numGpus(),
            price.getAsLong(),
            start,
            end,
            source));
  }

  private static Instant later(Instant a, Instant b) {
    return b.isAfter(a) ? b : a;
  }
}
