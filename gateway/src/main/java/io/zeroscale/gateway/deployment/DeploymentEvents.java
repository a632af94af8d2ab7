package io.zeroscale.gateway.deployment;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The entries of a deployment's event list ({@code zs:scaling-events:<id>}) as the tenant API shows
 * them. The autoscaler writes its decisions there without a {@code kind}; the activator writes its
 * instances' lifecycle as {@code {"at":epochMs,"kind":"instance","instance_id":…,"revision":n,
 * "type":"requested|scheduled|ready|draining|stopped|failed","gpu":…,"detail":…}}.
 */
final class DeploymentEvents {

  private static final JsonMapper EVENTS_JSON = JsonMapper.builder().build();

  /** The {@code kind} of the activator's instance lifecycle entries in the events list. */
  static final String INSTANCE_KIND = "instance";

  private DeploymentEvents() {}

  /**
   * The API objects of the entries, in their order (newest first): {@code scaling_event} for the
   * autoscaler's, {@code instance_event} for the activator's; an entry of another kind, or that
   * does not read, is skipped (one bad entry does not hide the others).
   */
  static List<Map<String, Object>> events(List<String> texts) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String text : texts) {
      try {
        JsonNode n = EVENTS_JSON.readTree(text);
        String kind = n.path("kind").asString(null);
        if (kind == null) {
          out.add(scalingEvent(n));
        } else if (INSTANCE_KIND.equals(kind)) {
          out.add(instanceEvent(n));
        }
      } catch (RuntimeException e) {
        // skipped, see above
      }
    }
    return out;
  }

  private static Map<String, Object> scalingEvent(JsonNode n) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("object", "scaling_event");
    m.put("at", Instant.ofEpochMilli(n.path("at").asLong()).toString());
    m.put("from", n.path("from").asInt());
    m.put("to", n.path("to").asInt());
    m.put("mode", n.path("mode").asString(null));
    m.put("demand", n.path("demand").asDouble());
    m.put("reason", n.path("reason").asString(null));
    return m;
  }

  private static Map<String, Object> instanceEvent(JsonNode n) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("object", "instance_event");
    m.put("at", Instant.ofEpochMilli(n.required("at").asLong()).toString());
    m.put("instance_id", n.required("instance_id").asString());
    m.put("revision", n.path("revision").asInt(0));
    m.put("type", n.required("type").asString());
    m.put("gpu", n.path("gpu").asString(null));
    m.put("detail", n.path("detail").asString(null));
    return m;
  }
}
