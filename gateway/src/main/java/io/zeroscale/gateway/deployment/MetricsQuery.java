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
 * multiple of 60, default 60). {@code from} is rounded down and {@code to} up to whole minutes and
 * the range to whole steps; at most {@value DeploymentSeries#MAX_POINTS} points and {@value
 * RedisSchema#SERIES_RETENTION_DAYS} days. A bad one is a 422 naming it.
 *
 * @param fromMinute the first minute (epoch minutes)
 * @param stepMinutes minutes per point
 * @param points how many points
 */
record MetricsQuery(long fromMinute, int stepMinutes, int points) {

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
    }
    Instant end = to == null ? now : instant("to", to);
    Instant start = from == null ? end.minus(Duration.ofHours(1)) : instant("from", from);
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
    return new MetricsQuery(first, stepMinutes, (int) points);
  }

  private static Instant instant(String param, String text) {
    String t = text.strip();
    try {
      if (!t.isEmpty() && t.chars().allMatch(Character::isDigit) && t.length() <= 12) {
        return Instant.ofEpochSecond(Long.parseLong(t));
      }
      return Instant.parse(t);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw bad(
          param, param + " must be an RFC 3339 time (2026-12-06T10:00:00Z) or epoch seconds.");
    }
  }

  static ZeroscaleException bad(String param, String message) {
    return new ZeroscaleException(OpenAiError.of(422, message, param, "invalid_value"));
  }

  /** When point {@code i} starts. */
  Instant at(int i) {
    return Instant.ofEpochSecond((fromMinute + (long) i * stepMinutes) * 60);
  }
}
