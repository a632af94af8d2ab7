package io.zeroscale.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.HttpHeaders;

class RateLimitHeadersTest {

  @ParameterizedTest
  @CsvSource({
    "0, 0s",
    "1, 1ms", // 1 ns rounds up: never tell a client to come back early
    "1000000, 1ms",
    "120000000, 120ms",
    "999000000, 999ms",
    "1000000000, 1s",
    "1500000000, 1.5s",
    "12001000000, 12.001s",
    "60000000000, 1m0s",
    "360000000000, 6m0s",
    "90250000000, 1m30.25s",
    "3600000000000, 1h0m0s",
    "3723250000000, 1h2m3.25s",
    "-5, 0s"
  })
  void durationsInOpenAisFormat(long nanos, String text) {
    assertThat(RateLimitHeaders.duration(Duration.ofNanos(nanos))).isEqualTo(text);
  }

  @Test
  void allowedCarriesTheRequestHeadersButNoRetryAfter() {
    HttpHeaders h = new HttpHeaders();
    RateLimitHeaders.apply(h, new RateDecision.Allowed(60, 59, Duration.ofSeconds(1), () -> {}));
    assertThat(h.getFirst("x-ratelimit-limit-requests")).isEqualTo("60");
    assertThat(h.getFirst("x-ratelimit-remaining-requests")).isEqualTo("59");
    assertThat(h.getFirst("x-ratelimit-reset-requests")).isEqualTo("1s");
    assertThat(h.containsHeader(HttpHeaders.RETRY_AFTER)).isFalse();
  }

  @Test
  void noRequestLimitInForceMeansNoInventedHeaders() {
    HttpHeaders h = new HttpHeaders();
    RateLimitHeaders.apply(h, RateDecision.Allowed.unlimited());
    assertThat(h.isEmpty()).isTrue();

    RateLimitHeaders.apply(
        h,
        new RateDecision.Limited(
            "busy",
            RateDecision.UNLIMITED,
            RateDecision.UNLIMITED,
            Duration.ZERO,
            Duration.ofSeconds(1)));
    assertThat(h.headerNames()).containsExactly(HttpHeaders.RETRY_AFTER);
    assertThat(h.getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
  }

  @Test
  void limitedCarriesRetryAfterInWholeSecondsRoundedUp() {
    HttpHeaders h = new HttpHeaders();
    RateLimitHeaders.apply(
        h,
        new RateDecision.Limited(
            "slow down", 5, 0, Duration.ofSeconds(60), Duration.ofMillis(12_001)));
    assertThat(h.getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("13");
    assertThat(h.getFirst("x-ratelimit-limit-requests")).isEqualTo("5");
    assertThat(h.getFirst("x-ratelimit-remaining-requests")).isEqualTo("0");
    assertThat(h.getFirst("x-ratelimit-reset-requests")).isEqualTo("1m0s");
  }

  @ParameterizedTest
  @CsvSource({"12000, 12", "200, 1", "12001, 13", "0, 1", "1000, 1"})
  void retryAfterSeconds(long millis, long seconds) {
    RateDecision.Limited l =
        new RateDecision.Limited("x", 1, 0, Duration.ZERO, Duration.ofMillis(millis));
    assertThat(l.retryAfterSeconds()).isEqualTo(seconds);
  }
}
