package io.zeroscale.api.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.InstanceEndpoint.State;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class InstanceJsonTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void theEngineKeyRoundTrips() {
    InstanceEndpoint e =
        new InstanceEndpoint("i-1", "d-1", "http://127.0.0.1:9100", State.READY, 7, "k-123");
    String text = InstanceJson.write(JSON, e);
    assertThat(text).contains("\"engine_key\":\"k-123\"");
    assertThat(InstanceJson.read(JSON, text)).isEqualTo(e);
  }

  @Test
  void aRecordWrittenBeforeEngineKeysReadsWithoutAKey() {
    String old =
        "{\"id\":\"i-1\",\"deployment_id\":\"d-1\",\"url\":\"http://127.0.0.1:9100\","
            + "\"state\":\"draining\",\"version\":3}";
    assertThat(InstanceJson.read(JSON, old))
        .isEqualTo(
            new InstanceEndpoint("i-1", "d-1", "http://127.0.0.1:9100", State.DRAINING, 3, null));
  }

  @Test
  void anEndpointWithoutAKeyIsWrittenAsBefore() {
    String text =
        InstanceJson.write(
            JSON, new InstanceEndpoint("i-1", "d-1", "http://127.0.0.1:9100", State.READY, 3));
    assertThat(text)
        .isEqualTo(
            "{\"id\":\"i-1\",\"deployment_id\":\"d-1\",\"url\":\"http://127.0.0.1:9100\","
                + "\"state\":\"ready\",\"version\":3}");
  }

  @Test
  void theKeyNeverShowsInTheEndpointsText() {
    InstanceEndpoint e =
        new InstanceEndpoint("i-1", "d-1", "http://127.0.0.1:9100", State.READY, 7, "k-123");
    assertThat(e.toString()).doesNotContain("k-123").contains("engineKey=***");
  }

  @Test
  void removalsStillRead() {
    String text = InstanceJson.removed(JSON, "d-1", "i-1");
    assertThat(InstanceJson.read(JSON, text)).isEqualTo(new InstanceJson.Removed("i-1", "d-1"));
  }
}
