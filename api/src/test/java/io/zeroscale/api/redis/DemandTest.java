package io.zeroscale.api.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class DemandTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void isWrittenAsRoutingSyncConcatenatedIt() {
    long now = 1_764_000_000_123L;
    int queued = 2;
    int inFlight = 8;
    String before = "{\"queued\":" + queued + ",\"in_flight\":" + inFlight + ",\"at\":" + now + "}";
    assertThat(new Demand(queued, inFlight, Instant.ofEpochMilli(now)).write(JSON))
        .isEqualTo(before);
  }

  @Test
  void roundTripsAndReadsTodaysPayloads() {
    var d = new Demand(12, 8, Instant.ofEpochMilli(5));
    assertThat(Demand.read(JSON, d.write(JSON))).isEqualTo(d);
    assertThat(Demand.read(JSON, "{\"queued\":2,\"in_flight\":8,\"at\":0}"))
        .isEqualTo(new Demand(2, 8, Instant.EPOCH));
    assertThat(Demand.read(JSON, "{\"queued\":2,\"in_flight\":8,\"at\":0}").total()).isEqualTo(10);
  }

  @Test
  void missingFiguresAreZeroAndUnknownFieldsIgnored() {
    assertThat(Demand.read(JSON, "{\"queued\":3,\"gateway\":\"g1\"}"))
        .isEqualTo(new Demand(3, 0, Instant.EPOCH));
  }
}
