package io.zeroscale.api.json;

import io.zeroscale.api.ScalingSettings;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** {@link ScalingSettings} as JSON: the field names of the tenant API's {@code settings}. */
public final class SettingsJson {

  public static final String MIN_INSTANCES = "min_instances";
  public static final String MAX_INSTANCES = "max_instances";
  public static final String SCALE_TO_ZERO_AFTER_S = "scale_to_zero_after_s";
  public static final String ACTIVATION_TIMEOUT_S = "activation_timeout_s";
  public static final String MAX_QUEUED_REQUESTS = "max_queued_requests";
  public static final String TARGET_UTILIZATION = "target_utilization";
  public static final String STABLE_WINDOW_S = "stable_window_s";
  public static final String BILLING_AWARE_SCALE_DOWN = "billing_aware_scale_down";
  public static final String MAX_SURGE = "max_surge";

  private SettingsJson() {}

  public static Map<String, Object> toMap(ScalingSettings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(MIN_INSTANCES, s.minInstances());
    m.put(MAX_INSTANCES, s.maxInstances());
    m.put(SCALE_TO_ZERO_AFTER_S, s.scaleToZeroAfterS());
    m.put(ACTIVATION_TIMEOUT_S, s.activationTimeoutS());
    m.put(MAX_QUEUED_REQUESTS, s.maxQueuedRequests());
    // Exact decimal in the JSON (0.7, not 0.69999...).
    m.put(TARGET_UTILIZATION, BigDecimal.valueOf(s.targetUtilization()));
    m.put(STABLE_WINDOW_S, s.stableWindowS());
    m.put(BILLING_AWARE_SCALE_DOWN, s.billingAwareScaleDown());
    m.put(MAX_SURGE, s.maxSurge());
    return m;
  }

  /**
   * Reads what {@link #toMap} wrote; every field is required but {@code max_surge} (written since
   * rollouts; its default before).
   */
  public static ScalingSettings read(JsonNode s) {
    return new ScalingSettings(
        s.required(MIN_INSTANCES).asInt(),
        s.required(MAX_INSTANCES).asInt(),
        s.required(SCALE_TO_ZERO_AFTER_S).asInt(),
        s.required(ACTIVATION_TIMEOUT_S).asInt(),
        s.required(MAX_QUEUED_REQUESTS).asInt(),
        s.required(TARGET_UTILIZATION).asDouble(),
        s.required(STABLE_WINDOW_S).asInt(),
        s.required(BILLING_AWARE_SCALE_DOWN).asBoolean(),
        s.path(MAX_SURGE).asInt(ScalingSettings.DEFAULT_MAX_SURGE));
  }
}
