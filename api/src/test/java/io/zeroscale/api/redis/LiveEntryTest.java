package io.zeroscale.api.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class LiveEntryTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** As RedisActivatorStore.liveJson wrote it before this module owned the format. */
  private static final String TODAY =
      "{\"desired\":2,\"pending\":0,\"starting\":1,\"ready\":1,\"draining\":1,\"at\":1000,"
          + "\"instances\":[{\"id\":\"i-1\",\"phase\":\"ready\",\"scheduled_at\":10},"
          + "{\"id\":\"i-2\",\"phase\":\"starting\",\"scheduled_at\":20},"
          + "{\"id\":\"i-3\",\"phase\":\"draining\",\"scheduled_at\":5},"
          + "{\"id\":\"i-4\",\"phase\":\"pending\",\"scheduled_at\":null}]}";

  private static final LiveEntry ENTRY =
      new LiveEntry(
          2,
          0,
          1,
          1,
          1,
          Instant.ofEpochMilli(1000),
          List.of(
              new LiveEntry.Instance("i-1", LiveEntry.Phase.READY, Instant.ofEpochMilli(10)),
              new LiveEntry.Instance("i-2", LiveEntry.Phase.STARTING, Instant.ofEpochMilli(20)),
              new LiveEntry.Instance("i-3", LiveEntry.Phase.DRAINING, Instant.ofEpochMilli(5)),
              new LiveEntry.Instance("i-4", LiveEntry.Phase.PENDING, null)));

  @Test
  void isWrittenByteForByteAsBefore() {
    assertThat(ENTRY.write(JSON)).isEqualTo(TODAY);
  }

  @Test
  void roundTrips() {
    assertThat(LiveEntry.read(JSON, ENTRY.write(JSON))).isEqualTo(ENTRY);
    var empty = new LiveEntry(0, 0, 0, 0, 0, Instant.EPOCH, List.of());
    assertThat(LiveEntry.read(JSON, empty.write(JSON))).isEqualTo(empty);
  }

  @Test
  void anOlderActivatorsEntryHasNoInstances() {
    var old = LiveEntry.read(JSON, "{\"desired\":3,\"pending\":1,\"starting\":1,\"ready\":1}");
    assertThat(old.instances()).isNull();
    assertThat(old.active()).isEqualTo(3);
    assertThat(old.draining()).isZero();
  }

  @Test
  void unknownFieldsAndPhasesAreIgnored() {
    var e =
        LiveEntry.read(
            JSON,
            "{\"ready\":1,\"zone\":\"eu\",\"instances\":[{\"id\":\"a\",\"phase\":\"hibernating\"},"
                + "{\"id\":\"b\",\"phase\":\"ready\",\"zone\":\"h100\"}]}");
    assertThat(e.instances())
        .containsExactly(new LiveEntry.Instance("b", LiveEntry.Phase.READY, null));
  }

  @Test
  void gpuAndInFlightRoundTripAndAreLeftOutWhenNotKnown() {
    var i =
        new LiveEntry.Instance(
            "a", LiveEntry.Phase.READY, Instant.ofEpochMilli(10), 2, "A100-80GB", 3);
    var e = new LiveEntry(1, 0, 0, 1, 0, Instant.ofEpochMilli(1000), List.of(i));
    String text = e.write(JSON);
    assertThat(text).contains("\"gpu\":\"A100-80GB\",\"in_flight\":3");
    assertThat(LiveEntry.read(JSON, text)).isEqualTo(e);
    assertThat(ENTRY.write(JSON)).doesNotContain("in_flight").doesNotContain("gpu");
  }

  @Test
  void phasesAreLowercaseOnTheWire() {
    for (LiveEntry.Phase p : LiveEntry.Phase.values()) {
      assertThat(LiveEntry.Phase.fromWire(p.wire())).isEqualTo(p);
    }
    assertThat(LiveEntry.Phase.STOPPING.wire()).isEqualTo("stopping");
  }
}
