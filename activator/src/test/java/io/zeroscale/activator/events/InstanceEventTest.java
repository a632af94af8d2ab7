package io.zeroscale.activator.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class InstanceEventTest {

  @Test
  void isWrittenInTheShapeOfTheTenantsEventListWithItsKindFirstAfterTheTime() {
    LifecycleEvent e =
        new LifecycleEvent(
            "i-1",
            "d",
            "t1",
            LifecycleEvent.Type.DRAINING,
            Instant.ofEpochMilli(1_700_000_000_123L),
            "A100-80GB",
            1,
            "process",
            null);
    String text = JsonMapper.builder().build().writeValueAsString(InstanceEvent.of(e, 3).fields());
    assertThat(text)
        .isEqualTo(
            "{\"at\":1700000000123,\"kind\":\"instance\",\"instance_id\":\"i-1\",\"revision\":3,"
                + "\"type\":\"draining\",\"gpu\":\"A100-80GB\",\"detail\":null}");
  }
}
