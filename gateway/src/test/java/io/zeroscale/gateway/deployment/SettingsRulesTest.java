package io.zeroscale.gateway.deployment;

import static io.zeroscale.gateway.model.Bodies.assertError;
import static io.zeroscale.gateway.model.Bodies.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.web.JsonBody;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsRulesTest {

  private static final ScalingSettings DEFAULTS = SettingsRules.defaults();

  @Test
  void defaultsAreTheSpecs() {
    assertThat(DEFAULTS).isEqualTo(new ScalingSettings(0, 1, 300, 900, 1000, 0.7, 60, true));
    assertThat(SettingsRules.validate(DEFAULTS, Set.of())).isEmpty();
  }

  @Test
  void maxSurgeIsZeroToEightDefaultsToOneAndResetsWithNull() {
    assertThat(DEFAULTS.maxSurge()).isEqualTo(1);
    ScalingSettings zero = SettingsRules.merge(DEFAULTS, body("{'max_surge':0}"));
    assertThat(zero.maxSurge()).isZero();
    assertThat(SettingsRules.merge(zero, body("{'max_surge':8}")).maxSurge()).isEqualTo(8);
    assertThat(SettingsRules.merge(zero, body("{}")).maxSurge()).as("kept").isZero();
    assertThat(SettingsRules.merge(zero, body("{'max_surge':null}")).maxSurge()).isEqualTo(1);
    assertThat(SettingsRules.json(zero)).containsEntry("max_surge", 0);
    assertError(
        () -> SettingsRules.merge(DEFAULTS, body("{'max_surge':9}")),
        422,
        "settings.max_surge",
        "between 0 and 8, got 9");
    assertError(
        () ->
            SettingsRules.merge(
                DEFAULTS,
                body("{'settings':{'max_surge':1.5}}").optionalObject("settings").orElseThrow()),
        422,
        "settings.max_surge",
        "must be an integer");
  }

  @Test
  void anEmptyObjectKeepsTheBase() {
    assertThat(SettingsRules.merge(DEFAULTS, body("{}"))).isEqualTo(DEFAULTS);
  }

  @Test
  void everyFieldCanBeSet() {
    ScalingSettings s =
        SettingsRules.merge(
            DEFAULTS,
            body(
                "{'min_instances':1,'max_instances':3,'scale_to_zero_after_s':30,"
                    + "'activation_timeout_s':3600,'max_queued_requests':100000,"
                    + "'target_utilization':0.85,'stable_window_s':6,"
                    + "'billing_aware_scale_down':false}"));
    assertThat(s).isEqualTo(new ScalingSettings(1, 3, 30, 3600, 100_000, 0.85, 6, false));
  }

  @Test
  void patchMergesAbsentKeepsNullResetsToTheDefault() {
    ScalingSettings current = new ScalingSettings(1, 4, 600, 120, 50, 0.5, 30, false);
    ScalingSettings patched =
        SettingsRules.merge(
            current,
            body(
                "{'max_instances':2,'scale_to_zero_after_s':null,'target_utilization':null,"
                    + "'billing_aware_scale_down':null}"));
    assertThat(patched).isEqualTo(new ScalingSettings(1, 2, 300, 120, 50, 0.7, 30, true));
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "{'min_instances':-1}|settings.min_instances|must be >= 0, got -1",
        "{'max_instances':0}|settings.max_instances|must be >= 1, got 0",
        "{'min_instances':2,'max_instances':1}|settings.min_instances|(2) must be <="
            + " settings.max_instances (1)",
        "{'min_instances':2}|settings.min_instances|(2) must be <= settings.max_instances (1)",
        "{'scale_to_zero_after_s':29}|settings.scale_to_zero_after_s|between 30 and 86400, got 29",
        "{'scale_to_zero_after_s':86401}|settings.scale_to_zero_after_s|got 86401",
        "{'activation_timeout_s':9}|settings.activation_timeout_s|between 10 and 3600, got 9",
        "{'activation_timeout_s':3601}|settings.activation_timeout_s|got 3601",
        "{'max_queued_requests':0}|settings.max_queued_requests|between 1 and 100000, got 0",
        "{'max_queued_requests':100001}|settings.max_queued_requests|got 100001",
        "{'target_utilization':0.1}|settings.target_utilization|> 0.1 and <= 1, got 0.1",
        "{'target_utilization':1.01}|settings.target_utilization|got 1.01",
        "{'target_utilization':0}|settings.target_utilization|got 0",
        "{'target_utilization':0.7777}|settings.target_utilization|at most 3 decimals",
        "{'stable_window_s':5}|settings.stable_window_s|between 6 and 3600, got 5",
        "{'stable_window_s':3601}|settings.stable_window_s|got 3601",
        "{'min_instances':'one'}|settings.min_instances|must be an integer",
        "{'min_instances':1.5}|settings.min_instances|must be an integer",
        "{'billing_aware_scale_down':'no'}|settings.billing_aware_scale_down|true or false",
        "{'min_instance':1}|settings.min_instance|Unknown field 'settings.min_instance'",
      })
  void outOfRangeValuesAre422OnTheirField(String settings, String param, String message) {
    assertError(() -> SettingsRules.merge(DEFAULTS, nested(settings)), 422, param, message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "{'scale_to_zero_after_s':30,'activation_timeout_s':10,'max_queued_requests':1,"
            + "'stable_window_s':6,'target_utilization':0.101}",
        "{'scale_to_zero_after_s':86400,'activation_timeout_s':3600,"
            + "'max_queued_requests':100000,'stable_window_s':3600,'target_utilization':1}",
        "{'min_instances':0,'max_instances':1}",
        "{'min_instances':5,'max_instances':5}",
        "{'target_utilization':'0.75'}",
      })
  void boundariesAreAccepted(String settings) {
    assertThat(SettingsRules.merge(DEFAULTS, body(settings))).isNotNull();
  }

  /**
   * The finding of issue #13: "1e-20000000" (11 characters) answered a 20 MB message, and
   * "1e-2147483647" never answered (OutOfMemoryError formatting it in full).
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "'1e-20000000'",
        "'1e-2147483647'",
        "1e400",
        "-1e400",
        "'1e400'",
        "'NaN'",
        "1e-400"
      })
  void aHugeExponentIsASmall422(String value) {
    assertThatThrownBy(
            () -> SettingsRules.merge(DEFAULTS, nested("{'target_utilization':" + value + "}")))
        .isInstanceOfSatisfying(
            ZeroscaleException.class,
            e -> {
              assertThat(e.error().status()).isEqualTo(422);
              assertThat(e.error().param()).isEqualTo("settings.target_utilization");
              assertThat(e.error().message()).hasSizeLessThan(200);
            });
  }

  /** A settings object as the API nests it, so that params carry the settings. prefix. */
  static JsonBody nested(String settings) {
    return body("{'settings':" + settings + "}").optionalObject("settings").orElseThrow();
  }

  @Test
  void aPatchThatLowersOnlyMaxBlamesMax() {
    ScalingSettings current = new ScalingSettings(2, 3, 300, 900, 1000, 0.7, 60, true);
    assertError(
        () -> SettingsRules.merge(current, nested("{'max_instances':1}")),
        422,
        "settings.max_instances",
        "settings.min_instances (2) must be <= settings.max_instances (1)");
  }

  @Test
  void jsonHasAllEightFields() {
    assertThat(SettingsRules.json(DEFAULTS))
        .containsOnlyKeys(SettingsRules.FIELDS.toArray(String[]::new))
        .containsEntry("min_instances", 0)
        .containsEntry("max_instances", 1)
        .containsEntry("scale_to_zero_after_s", 300)
        .containsEntry("activation_timeout_s", 900)
        .containsEntry("max_queued_requests", 1000)
        .containsEntry("stable_window_s", 60)
        .containsEntry("billing_aware_scale_down", true);
    assertThat(SettingsRules.json(DEFAULTS).get("target_utilization")).hasToString("0.7");
  }
}
