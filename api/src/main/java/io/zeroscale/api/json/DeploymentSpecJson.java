package io.zeroscale.api.json;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.api.redis.RedisEntries;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON of a {@link DeploymentSpec} in Redis (hash {@code zs:deployments} and channel {@code
 * zs:deployment-changed}): snake_case, the same names as the tenant API, for example
 *
 * <pre>
 * {"id":"…","tenant_id":"…","tenant":"demo","model_name":"llama","full_name":"demo/llama",
 *  "family":"llm","source":"hf://meta-llama/Llama-2-7b-hf@main","gpu":"A100-80GB","num_gpus":1,
 *  "max_batch_size":64,"settings":{"min_instances":0,…},"status":"scaled_to_zero","reason":null,
 *  "version":1}
 * </pre>
 *
 * plus, once a deployment has rolled out, {@code "revision":n}, {@code "engine":{…}} ({@link
 * io.zeroscale.api.EngineOptions#toMap()}), {@code "surge":n} and {@code settings.max_surge} when
 * they differ from revision 1, no engine option and the default surge.
 */
public final class DeploymentSpecJson {

  private DeploymentSpecJson() {}

  public static Map<String, Object> toMap(DeploymentSpec s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id());
    m.put("tenant_id", s.tenantId());
    m.put("tenant", s.tenant());
    m.put("model_name", s.modelName());
    m.put("full_name", s.fullName());
    m.put("family", s.family().wire());
    m.put("source", s.source());
    m.put("gpu", s.gpu());
    m.put("num_gpus", s.numGpus());
    m.put("max_batch_size", s.maxBatchSize());
    Map<String, Object> settings = SettingsJson.toMap(s.settings());
    if (s.settings().maxSurge() == ScalingSettings.DEFAULT_MAX_SURGE) {
      settings.remove(SettingsJson.MAX_SURGE);
    }
    m.put("settings", settings);
    m.put("status", s.status().wire());
    m.put("reason", s.reason());
    m.put("version", s.version());
    // What rollouts added is written only when it differs from what a reader assumes without it,
    // so a deployment that never rolled out has the same payload as before (a gateway of the
    // previous release, during an upgrade of the platform, reads it unchanged).
    if (s.revision() != 1) {
      m.put("revision", s.revision());
    }
    if (!s.engine().isDefault()) {
      m.put("engine", s.engine().toMap());
    }
    if (s.surge() != s.settings().maxSurge()) {
      m.put("surge", s.surge());
    }
    return m;
  }

  public static String write(JsonMapper json, DeploymentSpec s) {
    return json.writeValueAsString(toMap(s));
  }

  /**
   * The specs of a {@code zs:deployments} hash (id → JSON) that {@code keep} accepts, by id; an
   * entry that does not read goes to {@code skipped} with the reason, and the rest are read.
   */
  public static Map<String, DeploymentSpec> readAll(
      JsonMapper json,
      Map<String, String> hash,
      Predicate<DeploymentSpec> keep,
      BiConsumer<String, RuntimeException> skipped) {
    Map<String, DeploymentSpec> out = new HashMap<>();
    RedisEntries.forEach(
        hash,
        (id, text) -> {
          DeploymentSpec spec = read(json, text);
          if (keep.test(spec)) {
            out.put(spec.id(), spec);
          }
        },
        skipped);
    return out;
  }

  /**
   * Reads what {@link #write} wrote. {@code revision}, {@code engine} and {@code surge}, written
   * since rollouts, read as revision 1, no option and the settings' surge when absent.
   */
  public static DeploymentSpec read(JsonMapper json, String text) {
    JsonNode n = json.readTree(text);
    ScalingSettings settings = SettingsJson.read(n.required("settings"));
    return new DeploymentSpec(
        n.required("id").asString(),
        n.required("tenant_id").asString(),
        n.required("tenant").asString(),
        n.required("model_name").asString(),
        Family.fromWire(n.required("family").asString()).orElseThrow(),
        n.required("source").asString(),
        n.required("gpu").asString(),
        n.required("num_gpus").asInt(),
        n.required("max_batch_size").asInt(),
        settings,
        DeploymentStatus.fromWire(n.required("status").asString()),
        n.hasNonNull("reason") ? n.get("reason").asString() : null,
        n.required("version").asLong(),
        n.path("revision").asInt(1),
        engine(n.path("engine")),
        n.path("surge").asInt(settings.maxSurge()));
  }

  /** Reads what {@link EngineOptions#toMap()} wrote (missing or not an object: none). */
  public static EngineOptions engine(JsonNode e) {
    if (e == null || !e.isObject()) {
      return EngineOptions.NONE;
    }
    JsonNode spec = e.path("speculative");
    return new EngineOptions(
        e.hasNonNull("max_model_len") ? e.get("max_model_len").asInt() : null,
        e.hasNonNull("gpu_memory_utilization")
            ? e.get("gpu_memory_utilization").decimalValue()
            : null,
        e.hasNonNull("enable_prefix_caching") ? e.get("enable_prefix_caching").asBoolean() : null,
        spec.isObject()
            ? new EngineOptions.Speculative(
                spec.required("source").asString(), spec.required("num_speculative_tokens").asInt())
            : null,
        text(e, "tool_call_parser"),
        text(e, "reasoning_parser"),
        text(e, "dtype"),
        text(e, "quantization"));
  }

  private static String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asString() : null;
  }
}
