package io.zeroscale.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zeroscale.api.Family;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MeteringTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Metering metering = new Metering(registry);

  @Test
  void aStreamRecordsEveryMeterWithTheFourTags() {
    metering.record(
        "acme/llama",
        Family.LLM,
        200,
        true,
        2_500_000_000L,
        OptionalLong.of(120_000_000L),
        Optional.of(new Usage(12, 7, 19)));
    metering.record(
        "acme/llama",
        Family.LLM,
        200,
        true,
        1_500_000_000L,
        OptionalLong.of(80_000_000L),
        Optional.of(new Usage(3, 5, 8)));

    String[] tags = {
      "deployment", "acme/llama", "family", "llm", "status", "2xx", "stream", "true"
    };
    assertThat(registry.get(Metering.Metric.REQUESTS.id()).tags(tags).counter().count())
        .isEqualTo(2);
    Timer duration = registry.get(Metering.Metric.DURATION.id()).tags(tags).timer();
    assertThat(duration.count()).isEqualTo(2);
    assertThat(duration.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(4000);
    assertThat(duration.max(TimeUnit.MILLISECONDS)).isEqualTo(2500);
    Timer ttft = registry.get(Metering.Metric.TTFT.id()).tags(tags).timer();
    assertThat(ttft.count()).isEqualTo(2);
    assertThat(ttft.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(200);
    assertThat(registry.get(Metering.Metric.PROMPT_TOKENS.id()).tags(tags).counter().count())
        .isEqualTo(15);
    assertThat(registry.get(Metering.Metric.COMPLETION_TOKENS.id()).tags(tags).counter().count())
        .isEqualTo(12);

    for (Meter m : registry.getMeters()) {
      assertThat(m.getId().getTags().stream().map(Tag::getKey))
          .containsExactlyInAnyOrder("deployment", "family", "status", "stream");
    }
  }

  @Test
  void aRequestWithoutTtftOrUsageCreatesNoEmptySeries() {
    metering.record(
        "acme/e5", Family.EMBEDDING, 503, false, 1_000, OptionalLong.empty(), Optional.empty());
    Set<String> names = new HashSet<>();
    registry.getMeters().forEach(m -> names.add(m.getId().getName()));
    assertThat(names)
        .containsExactlyInAnyOrder(Metering.Metric.REQUESTS.id(), Metering.Metric.DURATION.id());
    assertThat(
            registry
                .get(Metering.Metric.REQUESTS.id())
                .tags("deployment", "acme/e5", "family", "embedding", "status", "5xx")
                .tags("stream", "false")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void anUnresolvedRequestIsTaggedNoneNeverWithTheClientsModel() {
    metering.record(null, null, 404, false, 1_000, OptionalLong.empty(), Optional.empty());
    metering.record("", Family.LLM, 400, false, 1_000, OptionalLong.empty(), Optional.empty());
    assertThat(
            registry
                .get(Metering.Metric.REQUESTS.id())
                .tags("deployment", "none", "family", "none")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get(Metering.Metric.REQUESTS.id())
                .tags("deployment", "none", "family", "llm")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void negativeDurationsFromAClockSkewAreZero() {
    metering.record("a/b", Family.LLM, 200, true, -5, OptionalLong.of(-1), Optional.empty());
    assertThat(registry.get(Metering.Metric.DURATION.id()).timer().totalTime(TimeUnit.NANOSECONDS))
        .isZero();
    assertThat(registry.get(Metering.Metric.TTFT.id()).timer().count()).isEqualTo(1);
  }

  @Test
  void forgetRemovesOnlyThatDeploymentsMeters() {
    metering.record(
        "a/x", Family.LLM, 200, true, 1, OptionalLong.of(1), Optional.of(new Usage(1, 1, 2)));
    metering.record("a/x", Family.LLM, 500, false, 1, OptionalLong.empty(), Optional.empty());
    metering.record("a/y", Family.LLM, 200, false, 1, OptionalLong.empty(), Optional.empty());
    metering.forget("a/x");
    List<String> left =
        registry.getMeters().stream().map(m -> m.getId().getTag("deployment")).distinct().toList();
    assertThat(left).containsExactly("a/y");
    // A late request re-registers cleanly.
    metering.record("a/x", Family.LLM, 200, false, 1, OptionalLong.empty(), Optional.empty());
    assertThat(
            registry.get(Metering.Metric.REQUESTS.id()).tags("deployment", "a/x").counter().count())
        .isEqualTo(1);
  }

  @ParameterizedTest
  @CsvSource({
    "100, 1xx", "200, 2xx", "204, 2xx", "299, 2xx", "301, 3xx", "400, 4xx", "413, 4xx",
    "429, 4xx", "499, 4xx", "500, 5xx", "504, 5xx", "599, 5xx", "0, other", "99, other",
    "600, other", "-200, other"
  })
  void statusClasses(int status, String expected) {
    assertThat(Metering.statusClass(status)).isEqualTo(expected);
  }
}
