package io.zeroscale.gateway.deployment;

import io.zeroscale.api.redis.LiveEntry;
import io.zeroscale.gateway.web.ApiObjects;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The instances of {@code GET /api/v1/deployments/{id}/instances}, from the activator's {@code
 * zs:live} entry (phase, revision, GPU, requests in flight) and the deployment's event list (each
 * instance's last {@code failed} event). States: {@code starting} (waiting for GPUs or booting),
 * {@code idle} (ready, nothing in flight, or its load not known yet), {@code processing} (ready, at
 * least one request in flight), {@code draining} (taking nothing new, or being stopped).
 */
final class InstanceViews {

  private static final JsonMapper EVENTS_JSON = JsonMapper.builder().build();

  private InstanceViews() {}

  /** The tenant-facing state of an instance. */
  static String state(LiveEntry.Instance i) {
    return switch (i.phase()) {
      case PENDING, STARTING -> "starting";
      case READY -> i.inFlight() != null && i.inFlight() > 0 ? "processing" : "idle";
      case DRAINING, STOPPING -> "draining";
    };
  }

  /** The API objects of the live entry's instances (none for a null entry). */
  static List<Map<String, Object>> of(LiveEntry live, List<String> events) {
    Map<String, Failure> failures = lastFailures(events);
    List<Map<String, Object>> out = new ArrayList<>();
    if (live == null || live.instances() == null) {
      return out;
    }
    for (LiveEntry.Instance i : live.instances()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("object", "instance");
      m.put("id", i.id());
      m.put("state", state(i));
      m.put("revision", i.revision() == 0 ? null : i.revision());
      m.put("gpu", i.gpu());
      m.put("started_at", i.scheduledAt() == null ? null : ApiObjects.time(i.scheduledAt()));
      m.put("requests_in_flight", i.inFlight());
      Failure f = failures.get(i.id());
      m.put(
          "last_failure",
          f == null ? null : Map.of("at", ApiObjects.time(f.at()), "reason", f.reason()));
      out.add(m);
    }
    return out;
  }

  private record Failure(Instant at, String reason) {}

  /** Each instance's newest {@code failed} lifecycle event (the list is newest first). */
  private static Map<String, Failure> lastFailures(List<String> events) {
    Map<String, Failure> out = new HashMap<>();
    for (String text : events) {
      try {
        JsonNode n = EVENTS_JSON.readTree(text);
        if (DeploymentEvents.INSTANCE_KIND.equals(n.path("kind").asString(null))
            && "failed".equals(n.path("type").asString(null))) {
          out.putIfAbsent(
              n.path("instance_id").asString(),
              new Failure(
                  Instant.ofEpochMilli(n.path("at").asLong()),
                  n.path("detail").asString("failed")));
        }
      } catch (RuntimeException e) {
        // an entry that does not read hides nothing else
      }
    }
    return out;
  }
}
