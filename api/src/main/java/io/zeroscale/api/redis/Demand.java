package io.zeroscale.api.redis;

import io.zeroscale.api.RedisSchema;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One gateway's demand for one deployment ({@link RedisSchema#demand}): {@code
 * {"queued":n,"in_flight":m,"at":epochMs}}.
 *
 * @param queued requests held in the gateway's queue
 * @param inFlight requests proxied and not yet finished
 * @param at when the gateway measured it
 */
public record Demand(long queued, long inFlight, Instant at) {

  /** Queued plus in flight: what the autoscaler sizes the deployment for. */
  public long total() {
    return queued + inFlight;
  }

  public String write(JsonMapper json) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("queued", queued);
    m.put("in_flight", inFlight);
    m.put("at", at.toEpochMilli());
    return json.writeValueAsString(m);
  }

  /** Reads an entry; missing figures count as 0, unknown fields are ignored. */
  public static Demand read(JsonMapper json, String text) {
    JsonNode n = json.readTree(text);
    Instant at = DesiredReplicas.millis(n.path("at"));
    return new Demand(
        n.path("queued").asLong(0), n.path("in_flight").asLong(0), at == null ? Instant.EPOCH : at);
  }
}
