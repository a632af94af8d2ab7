package io.zeroscale.gateway.deployment;

import io.zeroscale.api.RedisSchema;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.observe.DeploymentSeries;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The parameters of {@code GET /api/v1/deployments/{id}/metrics}: {@code from} and {@code to} (RFC
 * 3339 instants or epoch seconds; default the last hour up to now), {@code step} (seconds, a
 * multiple of 60, default 60, at most {@value RedisSchema#SERIES_RETENTION_DAYS} days). {@code
 * from} is rounded down and {@code to} up to whole minutes; the last point stops at {@code to}; at
 * most {@value DeploymentSeries#MAX_POINTS} points and {@value RedisSchema#SERIES_RETENTION_DAYS}
 * days; {@code from} and {@code to} within {@value RedisSchema#SERIES_RETENTION_DAYS} days and one
 * more of now. A bad one is a 422 naming it.
 *
 * @param fromMinute the first minute (epoch minutes)
 * @param stepMinutes minutes per point
 * @param points how many points
 * @param toMinute the minute after the last one read (epoch minutes)
 */
record MetricsQuery(long fromMinute, int stepMinutes, int points, long toMinute) {

  /** The largest step: the whole retention. */
  static final int MAX_STEP_SECONDS = RedisSchema.SERIES_RETENTION_DAYS * 86_400;

  /** How far from now {@code from} and {@code to} may be: the retention and one day. */
  static final Duration WINDOW = Duration.ofDays(RedisSchema.SERIES_RETENTION_DAYS + 1L);

  static MetricsQuery parse(String from, String to, String step, Instant now) {
    int stepS = 60;
    if (step != null) {
      try {
        stepS = Integer.parseInt(step.strip());
      } catch (NumberFormatException e) {
        throw bad("step", "step must be a whole number of seconds, a multiple of 60.");
      }
      if (stepS < 60 || stepS % 60 != 0) {
        throw bad("step", "step must be a whole number of seconds, a multiple of 60.");
      }
      if (stepS > MAX_STEP_SECONDS) {
        throw bad(
            "step",
            "step may be at most "
                + MAX_STEP_SECONDS
                + " seconds ("
                + RedisSchema.SERIES_RETENTION_DAYS
                + " days, the series' retention).");
      }
    }
    Instant end = to == null ? now : instant("to", to, now);
    Instant start = from == null ? end.minus(Duration.ofHours(1)) : instant("from", from, now);
    if (!start.isBefore(end)) {
      throw bad("from", "from must be before to.");
    }
    if (Duration.between(start, end).compareTo(Duration.ofDays(RedisSchema.SERIES_RETENTION_DAYS))
        > 0) {
      throw bad(
          "from",
          "The range may span at most "
              + RedisSchema.SERIES_RETENTION_DAYS
              + " days (the series' retention).");
    }
    int stepMinutes = stepS / 60;
    long first = DeploymentSeries.minuteOf(start);
    long last = Math.floorDiv(end.toEpochMilli() + 59_999, 60_000L);
    long points = Math.max(1, (last - first + stepMinutes - 1) / stepMinutes);
    if (points > DeploymentSeries.MAX_POINTS) {
      throw bad(
          "step",
          "At most "
              + DeploymentSeries.MAX_POINTS
              + " points per answer: use a larger step or a shorter range.");
    }
    return new MetricsQuery(first, stepMinutes, (int) points, last);
  }

  private static Instant instant(String param, String text, Instant now) {
    String t = text.strip();
    Instant at;
    try {
      if (!t.isEmpty() && t.chars().allMatch(Character::isDigit) && t.length() <= 12) {
        at = Instant.ofEpochSecond(Long.parseLong(t));
      } else {
        at = Instant.parse(t);
      }
    } catch (DateTimeParseException | NumberFormatException e) {
      throw bad(
          param, param + " must be an RFC 3339 time (2026-12-06T10:00:00Z) or epoch seconds.");
    }
    if (at.isBefore(now.minus(WINDOW)) || at.isAfter(now.plus(WINDOW))) {
      throw bad(
          param,
          param
              + " must be within "
              + WINDOW.toDays()
              + " days of now (the series are kept "
              + RedisSchema.SERIES_RETENTION_DAYS
              + " days).");
    }
    return at;
  }

  static ZeroscaleException bad(String param, String message) {
    return new ZeroscaleException(OpenAiError.of(422, message, param, "invalid_value"));
  }

  /** When point {@code i} starts ({@code i == points}: the end of the last point). */
  Instant at(int i) {
    return Instant.ofEpochSecond(Math.min(fromMinute + (long) i * stepMinutes, toMinute) * 60);
  }
}
