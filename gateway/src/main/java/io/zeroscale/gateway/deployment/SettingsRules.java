package io.zeroscale.gateway.deployment;

import io.zeroscale.api.ScalingSettings;
import io.zeroscale.api.json.SettingsJson;
import io.zeroscale.gateway.web.InputBounds;
import io.zeroscale.gateway.web.JsonBody;
import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A deployment's {@code settings}: defaults, merging a request's settings over a base, and the
 * rules they must follow (SPEC §3, §6). Merge semantics, the same for create (base = defaults) and
 * PATCH (base = current): an absent field keeps the base's value, {@code null} resets it to its
 * default, a value replaces it.
 */
public final class SettingsRules {

  public static final int DEFAULT_MIN_INSTANCES = 0;
  public static final int DEFAULT_MAX_INSTANCES = 1;
  public static final boolean DEFAULT_BILLING_AWARE_SCALE_DOWN = true;

  public static final String MIN_INSTANCES = SettingsJson.MIN_INSTANCES;
  public static final String MAX_INSTANCES = SettingsJson.MAX_INSTANCES;
  public static final String SCALE_TO_ZERO_AFTER_S = SettingsJson.SCALE_TO_ZERO_AFTER_S;
  public static final String ACTIVATION_TIMEOUT_S = SettingsJson.ACTIVATION_TIMEOUT_S;
  public static final String MAX_QUEUED_REQUESTS = SettingsJson.MAX_QUEUED_REQUESTS;
  public static final String TARGET_UTILIZATION = SettingsJson.TARGET_UTILIZATION;
  public static final String STABLE_WINDOW_S = SettingsJson.STABLE_WINDOW_S;
  public static final String BILLING_AWARE_SCALE_DOWN = SettingsJson.BILLING_AWARE_SCALE_DOWN;
  public static final String MAX_SURGE = SettingsJson.MAX_SURGE;

  public static final List<String> FIELDS =
      List.of(
          MIN_INSTANCES,
          MAX_INSTANCES,
          SCALE_TO_ZERO_AFTER_S,
          ACTIVATION_TIMEOUT_S,
          MAX_QUEUED_REQUESTS,
          TARGET_UTILIZATION,
          STABLE_WINDOW_S,
          BILLING_AWARE_SCALE_DOWN,
          MAX_SURGE);

  /** Inclusive integer ranges. */
  record Range(int min, int max) {}

  static final Range SCALE_TO_ZERO_RANGE = new Range(30, 86_400);
  static final Range ACTIVATION_TIMEOUT_RANGE = new Range(10, 3_600);
  static final Range MAX_QUEUED_RANGE = new Range(1, 100_000);
  static final Range STABLE_WINDOW_RANGE = new Range(6, 3_600);

  /**
   * max_surge: 0 (replace one instance at a time) to 8 (a whole 8-instance deployment at once); the
   * quota may lower what a rollout really uses ({@link DeploymentRules#surge}).
   */
  static final Range MAX_SURGE_RANGE = new Range(0, 8);

  /** target_utilization is in (0.1, 1], with at most 3 decimals (the column is NUMERIC(4,3)). */
  static final BigDecimal TARGET_UTILIZATION_ABOVE = new BigDecimal("0.1");

  static final int TARGET_UTILIZATION_DECIMALS = 3;

  private SettingsRules() {}

  public static ScalingSettings defaults() {
    return new ScalingSettings(
        DEFAULT_MIN_INSTANCES,
        DEFAULT_MAX_INSTANCES,
        ScalingSettings.DEFAULT_SCALE_TO_ZERO_AFTER_S,
        ScalingSettings.DEFAULT_ACTIVATION_TIMEOUT_S,
        ScalingSettings.DEFAULT_MAX_QUEUED_REQUESTS,
        ScalingSettings.DEFAULT_TARGET_UTILIZATION,
        ScalingSettings.DEFAULT_STABLE_WINDOW_S,
        DEFAULT_BILLING_AWARE_SCALE_DOWN,
        ScalingSettings.DEFAULT_MAX_SURGE);
  }

  /**
   * {@code base} with {@code settings} applied (see the class comment), validated.
   *
   * @param settings the request's {@code settings} object, whose param prefix is {@code settings.}
   * @throws io.zeroscale.gateway.error.ZeroscaleException 422 naming the field
   */
  public static ScalingSettings merge(ScalingSettings base, JsonBody settings) {
    settings.allowOnly(new LinkedHashSet<>(FIELDS));
    ScalingSettings d = defaults();
    int min = intField(settings, MIN_INSTANCES, base.minInstances(), d.minInstances());
    int max = intField(settings, MAX_INSTANCES, base.maxInstances(), d.maxInstances());
    int toZero =
        intField(settings, SCALE_TO_ZERO_AFTER_S, base.scaleToZeroAfterS(), d.scaleToZeroAfterS());
    int activation =
        intField(settings, ACTIVATION_TIMEOUT_S, base.activationTimeoutS(), d.activationTimeoutS());
    int queued =
        intField(settings, MAX_QUEUED_REQUESTS, base.maxQueuedRequests(), d.maxQueuedRequests());
    int window = intField(settings, STABLE_WINDOW_S, base.stableWindowS(), d.stableWindowS());
    int surge = intField(settings, MAX_SURGE, base.maxSurge(), d.maxSurge());
    boolean billingAware =
        settings.isNull(BILLING_AWARE_SCALE_DOWN)
            ? d.billingAwareScaleDown()
            : settings
                .optionalBoolean(BILLING_AWARE_SCALE_DOWN)
                .orElse(base.billingAwareScaleDown());
    double utilization = base.targetUtilization();
    if (settings.isNull(TARGET_UTILIZATION)) {
      utilization = d.targetUtilization();
    } else {
      Optional<BigDecimal> given = settings.optionalDecimal(TARGET_UTILIZATION);
      if (given.isPresent()) {
        targetUtilizationProblem(given.get())
            .ifPresent(p -> fail(Violation.invalid("settings." + TARGET_UTILIZATION, p)));
        utilization = given.get().doubleValue();
      }
    }
    Set<String> touched = new LinkedHashSet<>();
    for (String f : FIELDS) {
      if (settings.has(f)) {
        touched.add(f);
      }
    }
    ScalingSettings merged =
        new ScalingSettings(
            min, max, toZero, activation, queued, utilization, window, billingAware, surge);
    validate(merged, touched).ifPresent(SettingsRules::fail);
    return merged;
  }

  /**
   * The first rule {@code s} breaks, if any. For {@code min_instances <= max_instances}, the field
   * blamed is the one the request changed ({@code max_instances} when only it was given).
   */
  public static Optional<Violation> validate(ScalingSettings s, Set<String> touched) {
    if (s.minInstances() < 0) {
      return range(MIN_INSTANCES, "must be >= 0", s.minInstances());
    }
    if (s.maxInstances() < 1) {
      return range(MAX_INSTANCES, "must be >= 1", s.maxInstances());
    }
    if (s.minInstances() > s.maxInstances()) {
      boolean blameMax = touched.contains(MAX_INSTANCES) && !touched.contains(MIN_INSTANCES);
      return Optional.of(
          Violation.invalid(
              "settings." + (blameMax ? MAX_INSTANCES : MIN_INSTANCES),
              "settings.min_instances ("
                  + s.minInstances()
                  + ") must be <= settings.max_instances ("
                  + s.maxInstances()
                  + ")."));
    }
    Optional<Violation> v =
        within(SCALE_TO_ZERO_AFTER_S, s.scaleToZeroAfterS(), SCALE_TO_ZERO_RANGE);
    if (v.isEmpty()) {
      v = within(ACTIVATION_TIMEOUT_S, s.activationTimeoutS(), ACTIVATION_TIMEOUT_RANGE);
    }
    if (v.isEmpty()) {
      v = within(MAX_QUEUED_REQUESTS, s.maxQueuedRequests(), MAX_QUEUED_RANGE);
    }
    if (v.isEmpty()) {
      v = within(STABLE_WINDOW_S, s.stableWindowS(), STABLE_WINDOW_RANGE);
    }
    if (v.isEmpty()) {
      v = within(MAX_SURGE, s.maxSurge(), MAX_SURGE_RANGE);
    }
    if (v.isEmpty()) {
      v =
          targetUtilizationProblem(BigDecimal.valueOf(s.targetUtilization()))
              .map(p -> Violation.invalid("settings." + TARGET_UTILIZATION, p));
    }
    return v;
  }

  /** The settings object of the API and of the Redis spec: all 9 fields, snake_case. */
  public static Map<String, Object> json(ScalingSettings s) {
    return SettingsJson.toMap(s);
  }

  static Optional<String> targetUtilizationProblem(BigDecimal v) {
    if (v.compareTo(TARGET_UTILIZATION_ABOVE) <= 0 || v.compareTo(BigDecimal.ONE) > 0) {
      return Optional.of(
          "settings.target_utilization must be > 0.1 and <= 1, got " + InputBounds.echo(v) + ".");
    }
    if (v.stripTrailingZeros().scale() > TARGET_UTILIZATION_DECIMALS) {
      return Optional.of(
          "settings.target_utilization may have at most "
              + TARGET_UTILIZATION_DECIMALS
              + " decimals, got "
              + InputBounds.echo(v)
              + ".");
    }
    return Optional.empty();
  }

  private static int intField(JsonBody settings, String field, int base, int dflt) {
    if (settings.isNull(field)) {
      return dflt;
    }
    return settings.optionalInt(field).orElse(base);
  }

  private static Optional<Violation> within(String field, int value, Range r) {
    if (value < r.min() || value > r.max()) {
      return range(field, "must be between " + r.min() + " and " + r.max(), value);
    }
    return Optional.empty();
  }

  private static Optional<Violation> range(String field, String rule, long value) {
    return Optional.of(
        Violation.invalid(
            "settings." + field, "settings." + field + " " + rule + ", got " + value + "."));
  }

  private static void fail(Violation v) {
    throw v.toException();
  }
}
