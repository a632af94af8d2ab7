package io.zeroscale.api.redis;

import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.WireName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link RedisSchema#LIVE} entry: what the activator runs for one deployment, as {@code
 * {"desired":n,"pending":n,"starting":n,"ready":n,"draining":n,"at":epochMs,"instances":[…]}}.
 *
 * @param desired the replicas the activator aims at
 * @param pending instances waiting for capacity
 * @param starting instances booting
 * @param ready instances serving
 * @param draining instances finishing their requests before they stop
 * @param at when the activator wrote it
 * @param instances each instance, or null when the entry has no {@code instances} array (an older
 *     activator); instances in a phase this code does not know are left out
 */
public record LiveEntry(
    int desired,
    int pending,
    int starting,
    int ready,
    int draining,
    Instant at,
    List<Instance> instances) {

  /** Where an instance is in its life, as the activator tracks it; on the wire in lowercase. */
  public enum Phase implements WireName {
    /** Wanted, but no GPUs free: nothing runs, nothing is billed; launched again every tick. */
    PENDING,
    /** Holds its GPUs and boots; published once {@code /health} answers 200. */
    STARTING,
    /** Published as an endpoint; takes requests. */
    READY,
    /** Published as draining: takes nothing new; stopped when idle or after the drain timeout. */
    DRAINING,
    /** Asked to stop; forgotten when the runtime confirms. */
    STOPPING;

    /** Counts towards the desired replicas (booting instances are capacity: no double boots). */
    public boolean active() {
      return this == PENDING || this == STARTING || this == READY;
    }

    /** The phase of a wire name, or null for one this code does not know. */
    public static Phase fromWire(String s) {
      return WireName.fromWire(Phase.class, s).orElse(null);
    }
  }

  /**
   * One instance.
   *
   * @param id instance id
   * @param phase where it is in its life
   * @param scheduledAt when it started holding GPUs (its paid first hour starts), or null
   * @param revision the deployment revision it runs (0: not known, an older activator)
   * @param gpu the GPU type it holds, or null (not known, an older activator)
   * @param inFlight requests running or waiting on it as its engine last reported them, or null
   *     when not known (not probed yet, not answering, an older activator)
   */
  public record Instance(
      String id, Phase phase, Instant scheduledAt, int revision, String gpu, Integer inFlight) {

    /** An instance of no known revision. */
    public Instance(String id, Phase phase, Instant scheduledAt) {
      this(id, phase, scheduledAt, 0);
    }

    /** An instance whose GPU and load are not known. */
    public Instance(String id, Phase phase, Instant scheduledAt, int revision) {
      this(id, phase, scheduledAt, revision, null, null);
    }
  }

  /** Pending + starting + ready: the instances that are or will be capacity. */
  public int active() {
    return pending + starting + ready;
  }

  public String write(JsonMapper json) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("desired", desired);
    m.put("pending", pending);
    m.put("starting", starting);
    m.put("ready", ready);
    m.put("draining", draining);
    m.put("at", at.toEpochMilli());
    List<Map<String, Object>> list = new ArrayList<>();
    for (Instance i : instances == null ? List.<Instance>of() : instances) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", i.id());
      e.put("phase", i.phase().wire());
      e.put("scheduled_at", i.scheduledAt() == null ? null : i.scheduledAt().toEpochMilli());
      if (i.revision() > 0) {
        e.put("revision", i.revision());
      }
      if (i.gpu() != null) {
        e.put("gpu", i.gpu());
      }
      if (i.inFlight() != null) {
        e.put("in_flight", i.inFlight());
      }
      list.add(e);
    }
    m.put("instances", list);
    return json.writeValueAsString(m);
  }

  /** Reads an entry; missing counts are 0, unknown fields are ignored. */
  public static LiveEntry read(JsonMapper json, String text) {
    JsonNode n = json.readTree(text);
    List<Instance> instances = null;
    JsonNode array = n.path("instances");
    if (array.isArray()) {
      instances = new ArrayList<>();
      for (JsonNode i : array) {
        Phase phase = Phase.fromWire(i.path("phase").asString(""));
        if (phase != null) {
          instances.add(
              new Instance(
                  i.path("id").asString(),
                  phase,
                  DesiredReplicas.millis(i.path("scheduled_at")),
                  i.path("revision").asInt(0),
                  i.path("gpu").isString() ? i.path("gpu").asString() : null,
                  i.path("in_flight").isNumber() ? i.path("in_flight").asInt() : null));
        }
      }
    }
    Instant at = DesiredReplicas.millis(n.path("at"));
    return new LiveEntry(
        n.path("desired").asInt(0),
        n.path("pending").asInt(0),
        n.path("starting").asInt(0),
        n.path("ready").asInt(0),
        n.path("draining").asInt(0),
        at == null ? Instant.EPOCH : at,
        instances == null ? null : List.copyOf(instances));
  }
}
