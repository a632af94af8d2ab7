package io.zeroscale.gateway.ratelimit;

import java.time.Duration;
import org.springframework.http.HttpHeaders;

/**
 * The rate-limit headers OpenAI's API sends (and its SDKs read): {@code
 * x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests}, {@code
 * x-ratelimit-reset-requests}, plus {@code Retry-After} on a 429. They describe the
 * requests-per-minute limit; with none in force (no limit, a concurrency limit alone, or Redis
 * unreachable) the three are left out rather than invented.
 */
public final class RateLimitHeaders {

  public static final String LIMIT = "x-ratelimit-limit-requests";
  public static final String REMAINING = "x-ratelimit-remaining-requests";
  public static final String RESET = "x-ratelimit-reset-requests";

  private RateLimitHeaders() {}

  public static void apply(HttpHeaders headers, RateDecision d) {
    switch (d) {
      case RateDecision.Allowed a -> requests(headers, a.limit(), a.remaining(), a.resetIn());
      case RateDecision.Limited l -> {
        requests(headers, l.limit(), l.remaining(), l.resetIn());
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(l.retryAfterSeconds()));
      }
    }
  }

  private static void requests(HttpHeaders headers, long limit, long remaining, Duration reset) {
    if (limit < 0) {
      return;
    }
    headers.set(LIMIT, Long.toString(limit));
    headers.set(REMAINING, Long.toString(Math.max(0, remaining)));
    headers.set(RESET, duration(reset));
  }

  /**
   * OpenAI's (Go's) duration text, rounded up to the millisecond so that a client waiting that long
   * is never early: 120 ms → "120ms", 1 s → "1s", 1.5 s → "1.5s", 360 s → "6m0s", 3 723.25 s →
   * "1h2m3.25s", zero → "0s".
   */
  public static String duration(Duration d) {
    if (d.isNegative() || d.isZero()) {
      return "0s";
    }
    long ms = d.toMillis() + (d.toNanosPart() % 1_000_000 == 0 ? 0 : 1);
    if (ms < 1000) {
      return ms + "ms";
    }
    StringBuilder out = new StringBuilder();
    long hours = ms / 3_600_000;
    long minutes = ms / 60_000 % 60;
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    out.append(ms / 1000 % 60);
    long fraction = ms % 1000;
    if (fraction > 0) {
      // 250 ms → ".25": three digits without trailing zeros.
      String digits = String.format("%03d", fraction);
      out.append('.').append(digits.replaceAll("0+$", ""));
    }
    return out.append('s').toString();
  }
}
