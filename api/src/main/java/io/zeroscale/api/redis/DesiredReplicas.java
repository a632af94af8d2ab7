package io.zeroscale.api.redis;

import io.zeroscale.api.RedisSchema;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link RedisSchema#DESIRED} entry: {@code {"replicas":n,"reason":"…","at":epochMs}}, plus
 * {@code "mode"}, {@code "demand"} and {@code "last_active"} when the autoscaler wrote it.
 *
 * @param replicas replicas asked for
 * @param reason why ({@code wake-up} when a gateway's wake-up raised it)
 * @param at when it was written, or null when the entry does not say
 * @param decision the autoscaler's figures, or null when another writer set it
 */
public record DesiredReplicas(int replicas, String reason, Instant at, Decision decision) {

  /**
   * What the autoscaler adds.
   *
   * @param mode {@code stable} or {@code panic}
   * @param demand the demand it decided on, rounded to a tenth
   * @param lastActive when it last saw a request (a new leader resumes the scale-to-zero countdown
   *     from it), or null
   */
  public record Decision(String mode, double demand, Instant lastActive) {}

  /** An entry without the autoscaler's figures (the activator's wake-up, billing's limit). */
  public static DesiredReplicas of(int replicas, String reason, Instant at) {
    return new DesiredReplicas(replicas, reason, at, null);
  }

  /** The JSON text, in the field order today's readers and {@code redis-cli} users see. */
  public String write(JsonMapper json) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("replicas", replicas);
    m.put("reason", reason);
    m.put("at", at == null ? null : at.toEpochMilli());
    if (decision != null) {
      m.put("mode", decision.mode());
      m.put("demand", decision.demand());
      m.put(
          "last_active",
          decision.lastActive() == null ? null : decision.lastActive().toEpochMilli());
    }
    return json.writeValueAsString(m);
  }

  /**
   * Reads an entry; unknown fields are ignored. Throws when {@code replicas} is missing or the text
   * is not JSON.
   */
  public static DesiredReplicas read(JsonMapper json, String text) {
    JsonNode n = json.readTree(text);
    int replicas = n.required("replicas").asInt();
    JsonNode mode = n.path("mode");
    Decision decision =
        mode.isString()
            ? new Decision(
                mode.asString(), n.path("demand").asDouble(0), millis(n.path("last_active")))
            : null;
    return new DesiredReplicas(
        replicas, n.path("reason").asString(null), millis(n.path("at")), decision);
  }

  static Instant millis(JsonNode n) {
    return n.isNumber() ? Instant.ofEpochMilli(n.asLong()) : null;
  }
}
