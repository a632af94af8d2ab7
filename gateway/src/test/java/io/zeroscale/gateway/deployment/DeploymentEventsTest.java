package io.zeroscale.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event list holds the autoscaler's decisions and the activator's instance lifecycle. */
class DeploymentEventsTest {

  @Test
  void bothKindsAreShownInTheirOrderAndOthersAreSkipped() {
    List<Map<String, Object>> events =
        DeploymentEvents.events(
            List.of(
                "{\"at\":1764979200000,\"kind\":\"instance\",\"instance_id\":\"i-2\","
                    + "\"revision\":2,\"type\":\"draining\",\"gpu\":\"A100-80GB\","
                    + "\"detail\":\"replaced by revision 3\"}",
                "{\"at\":1764979100000,\"from\":1,\"to\":2,\"mode\":\"stable\","
                    + "\"demand\":3.5,\"reason\":\"stable: 3.5 ⇒ 2\"}",
                "{\"at\":1764979000000,\"kind\":\"something-new\",\"x\":1}",
                "not json",
                "{\"at\":1764978900000,\"kind\":\"instance\",\"type\":\"ready\"}",
                "{\"at\":1764978800000,\"kind\":\"instance\",\"instance_id\":\"i-1\","
                    + "\"type\":\"requested\",\"gpu\":null,\"detail\":null}"));
    Map<String, Object> draining = new HashMap<>();
    draining.put("object", "instance_event");
    draining.put("at", "2025-12-06T00:00:00Z");
    draining.put("instance_id", "i-2");
    draining.put("revision", 2);
    draining.put("type", "draining");
    draining.put("gpu", "A100-80GB");
    draining.put("detail", "replaced by revision 3");
    assertThat(events).hasSize(3);
    assertThat(events.get(0)).isEqualTo(draining);
    assertThat(events.get(0).keySet())
        .containsExactly("object", "at", "instance_id", "revision", "type", "gpu", "detail");
    assertThat(events.get(1))
        .containsEntry("object", "scaling_event")
        .containsEntry("from", 1)
        .containsEntry("to", 2)
        .containsEntry("mode", "stable");
    assertThat(events.get(2))
        .containsEntry("object", "instance_event")
        .containsEntry("instance_id", "i-1")
        .containsEntry("revision", 0)
        .containsEntry("gpu", null)
        .containsEntry("detail", null);
  }
}
