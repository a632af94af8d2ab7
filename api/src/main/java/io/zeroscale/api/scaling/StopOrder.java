package io.zeroscale.api.scaling;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The paid first hour and which instance to stop first (SPEC §6): the activator stops instances in
 * this order and the autoscaler's decider predicts the same victims.
 *
 * <p>Cheapest first: pending instances hold nothing; then those with no prepaid time left (every
 * second of theirs is billed); then booting ones (they serve nothing); then ready ones, least
 * prepaid time left first. Ties keep the given order. Example at 10:50 with an hour paid from
 * scheduling: ready since 10:00 (10 min left) goes before ready since 10:30 (40 min left).
 */
public final class StopOrder {

  /** The minimum an instance is billed for from the moment it holds GPUs. */
  public static final Duration PAID_PERIOD = Duration.ofHours(1);

  /** Where an instance is, as far as the order cares. */
  public enum Stage {
    PENDING,
    STARTING,
    READY
  }

  private StopOrder() {}

  /**
   * Paid time left in the first {@code paidPeriod} from {@code scheduledAt} (zero past it, or when
   * the instance never held GPUs: {@code scheduledAt} null). Scheduled at 10:00, at 10:45 with an
   * hour: 15 min.
   */
  public static Duration prepaidLeft(Instant scheduledAt, Instant now, Duration paidPeriod) {
    if (scheduledAt == null) {
      return Duration.ZERO;
    }
    Duration left = Duration.between(now, scheduledAt.plus(paidPeriod));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** {@link #prepaidLeft(Instant, Instant, Duration)} with the {@link #PAID_PERIOD}. */
  public static Duration prepaidLeft(Instant scheduledAt, Instant now) {
    return prepaidLeft(scheduledAt, now, PAID_PERIOD);
  }

  /**
   * {@code instances} sorted cheapest to stop first (a new list; the input is not changed).
   *
   * @param stage each instance's stage
   * @param scheduledAt when each started holding GPUs, or null
   */
  public static <T> List<T> cheapestFirst(
      List<T> instances,
      Function<T, Stage> stage,
      Function<T, Instant> scheduledAt,
      Instant now,
      Duration paidPeriod) {
    Function<T, Duration> left = i -> prepaidLeft(scheduledAt.apply(i), now, paidPeriod);
    List<T> sorted = new ArrayList<>(instances);
    sorted.sort(
        Comparator.comparingInt((T i) -> rank(stage.apply(i), left.apply(i))).thenComparing(left));
    return sorted;
  }

  private static int rank(Stage stage, Duration prepaidLeft) {
    if (stage == Stage.PENDING) {
      return 0;
    }
    if (prepaidLeft.isZero()) {
      return 1;
    }
    return stage == Stage.STARTING ? 2 : 3;
  }
}
