package io.zeroscale.api.json;

import io.zeroscale.api.InstanceEndpoint;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link InstanceEndpoint} as JSON text in Redis (snake_case, state in lowercase). The engine key
 * ({@code engine_key}) is written only when the instance has one; a record without it (written
 * before engine keys existed) reads with a null key.
 */
public final class InstanceJson {

  /** A removal message: {@code {"id":..,"deployment_id":..,"removed":true}}. */
  public record Removed(String id, String deploymentId) {}

  private InstanceJson() {}

  public static String write(JsonMapper json, InstanceEndpoint e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("deployment_id", e.deploymentId());
    m.put("url", e.url());
    m.put("state", e.state().name().toLowerCase(Locale.ROOT));
    m.put("version", e.version());
    if (e.engineKey() != null) {
      m.put("engine_key", e.engineKey());
    }
    if (e.revision() > 0) {
      m.put("revision", e.revision());
    }
    return json.writeValueAsString(m);
  }

  public static String removed(JsonMapper json, String deploymentId, String instanceId) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", instanceId);
    m.put("deployment_id", deploymentId);
    m.put("removed", true);
    return json.writeValueAsString(m);
  }

  /** An endpoint, or a {@link Removed}. */
  public static Object read(JsonMapper json, String text) {
    JsonNode n = json.readTree(text);
    String id = n.get("id").asString();
    String deployment = n.get("deployment_id").asString();
    if (n.has("removed") && n.get("removed").asBoolean()) {
      return new Removed(id, deployment);
    }
    return new InstanceEndpoint(
        id,
        deployment,
        n.get("url").asString(),
        InstanceEndpoint.State.valueOf(n.get("state").asString().toUpperCase(Locale.ROOT)),
        n.has("version") ? n.get("version").asLong() : 0,
        n.hasNonNull("engine_key") ? n.get("engine_key").asString() : null,
        n.path("revision").asInt(0));
  }
}
