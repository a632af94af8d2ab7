package io.zeroscale.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.web.Fuzz;
import io.zeroscale.gateway.web.JsonBody;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Property-based tests of the tenant/admin body readers ({@link JsonBody}, {@link SettingsRules},
 * {@link DeploymentRequests}), on {@link Fuzz}'s seeded generators: for random and mutated bodies,
 * every reader either accepts or answers a {@link ZeroscaleException} with a 4xx and a message of
 * bounded size, whatever the size of the input, never another exception; and accepted settings and
 * decimals read back as sent.
 */
class RequestBodyFuzzTest {

  /** Tries per property: each reads a body some hundred ways, so fewer than the inspector's. */
  private static final int TRIES = 500;

  /**
   * The longest refusal: a message naming the known fields is about 250 characters, and no value is
   * quoted in more than 40. Inputs are up to a few thousand characters, so a message that echoes a
   * value in full fails this.
   */
  private static final int MAX_MESSAGE = 600;

  private static final HardwareCatalog CATALOG = HardwareCatalog.defaults();
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final List<String> CREATE_FIELDS =
      List.of("model_name", "model", "family", "gpu", "num_gpus", "max_batch_size", "settings");

  /** Runs {@code read}; it may refuse only with a small 4xx. */
  private static void acceptsOrRefusesSmall(Runnable read) {
    try {
      read.run();
    } catch (ZeroscaleException e) {
      OpenAiError error = e.error();
      assertThat(error.status()).as(error.message()).isBetween(400, 499);
      assertThat(error.type()).isEqualTo("invalid_request_error");
      assertThat(error.message()).hasSizeLessThan(MAX_MESSAGE);
    }
  }

  /** Every typed read of every field, each on its own, then the API's own readers. */
  private static void readEverything(String text) {
    JsonBody body;
    try {
      body = JsonBody.parse(text);
    } catch (ZeroscaleException e) {
      assertThat(e.error().status()).as(e.error().message()).isEqualTo(400);
      assertThat(e.error().code()).isEqualTo("invalid_json");
      assertThat(e.error().message()).hasSizeLessThan(MAX_MESSAGE);
      return;
    }
    List<String> names = new ArrayList<>(CREATE_FIELDS);
    names.addAll(SettingsRules.FIELDS);
    List<Consumer<String>> reads =
        List.of(
            body::optionalInt,
            body::optionalDecimal,
            body::optionalBoolean,
            body::optionalString,
            body::optionalInstant,
            body::optionalObject,
            body::requiredStringList);
    for (String name : names) {
      for (Consumer<String> read : reads) {
        acceptsOrRefusesSmall(() -> read.accept(name));
      }
    }
    acceptsOrRefusesSmall(() -> body.allowOnly(java.util.Set.copyOf(CREATE_FIELDS)));
    acceptsOrRefusesSmall(() -> SettingsRules.merge(SettingsRules.defaults(), body));
    acceptsOrRefusesSmall(
        () ->
            body.optionalObject("settings")
                .ifPresent(s -> SettingsRules.merge(SettingsRules.defaults(), s)));
    acceptsOrRefusesSmall(() -> DeploymentRequests.create(body, body.raw("model"), CATALOG));
  }

  /** An object of some of {@code names} (repeats included) with any values. */
  private static String objectOf(Fuzz.Gen g, List<String> names, int maxSize) {
    List<String> chosen = g.list(0, maxSize, () -> g.pick(names));
    return Fuzz.object(chosen, g.list(chosen.size(), chosen.size(), g::value));
  }

  /** A create body: some top-level fields and a settings object, any values. */
  private static String createBody(Fuzz.Gen g) {
    String fields =
        objectOf(
            g, List.of("model_name", "model", "gpu", "num_gpus", "max_batch_size", "family"), 6);
    String settings = objectOf(g, SettingsRules.FIELDS, 8);
    return (fields.length() > 2 ? fields.substring(0, fields.length() - 1) + "," : "{")
        + "\"settings\":"
        + settings
        + "}";
  }

  /** Found by the first property-based run: Jackson threw a bare NumberFormatException, a 500. */
  @Test
  void aNumberWithAnExponentBeyondIntIsA400() {
    for (String body :
        List.of(
            "{\"settings\":{\"target_utilization\":0E+2147483648}}",
            "{\"num_gpus\":0E+2147483648}",
            "{\"max_batch_size\":-9.9E+2147483677}")) {
      assertThatThrownBy(() -> JsonBody.parse(body))
          .as(body)
          .isInstanceOfSatisfying(
              ZeroscaleException.class,
              e -> {
                assertThat(e.error().status()).isEqualTo(400);
                assertThat(e.error().code()).isEqualTo("invalid_json");
              });
      readEverything(body);
    }
  }

  @Test
  void randomBodiesAreAcceptedOrRefusedSmall() {
    Fuzz.forAll(TRIES, RequestBodyFuzzTest::createBody, RequestBodyFuzzTest::readEverything);
  }

  @Test
  void mutatedBodiesAreAcceptedOrRefusedSmall() {
    Fuzz.forAll(
        TRIES, g -> Fuzz.mutate(createBody(g), g.mutations()), RequestBodyFuzzTest::readEverything);
  }

  @Test
  void anyTextIsAcceptedOrRefusedSmall() {
    Fuzz.forAll(TRIES, g -> g.string(300), RequestBodyFuzzTest::readEverything);
  }

  @Test
  void nastyNumbersInEverySettingAreAcceptedOrRefusedSmall() {
    record Case(String field, String value) {}
    Fuzz.forAll(
        TRIES,
        g -> {
          String number = g.number();
          return new Case(g.pick(SettingsRules.FIELDS), g.bool() ? number : Fuzz.quote(number));
        },
        c -> {
          readEverything("{\"settings\":{\"" + c.field() + "\":" + c.value() + "}}");
          readEverything("{\"" + c.field() + "\":" + c.value() + "}");
        });
  }

  /** Any decimal within 18 digits either side reads back exactly, as a number or a string. */
  @Test
  void boundedDecimalsRoundTrip() {
    Fuzz.forAll(
        TRIES,
        g -> {
          BigInteger unscaled = g.digits(18);
          return new BigDecimal(g.bool() ? unscaled : unscaled.negate(), g.between(0, 18));
        },
        value -> {
          for (String text : List.of(value.toString(), value.toPlainString())) {
            for (String json : List.of(text, Fuzz.quote(text))) {
              BigDecimal read =
                  JsonBody.parse("{\"d\":" + json + "}").optionalDecimal("d").orElseThrow();
              assertThat(read).as(json).isEqualByComparingTo(value);
            }
          }
        });
  }

  /** Valid settings, sent in any order and either number form, merge to exactly themselves. */
  @Test
  void acceptedSettingsRoundTrip() {
    record Case(ScalingSettings settings, boolean utilizationAsString, long order) {}
    Fuzz.forAll(
        TRIES,
        g -> new Case(validSettings(g), g.bool(), g.nextLong()),
        c -> {
          ScalingSettings s = c.settings();
          BigDecimal utilization = BigDecimal.valueOf(s.targetUtilization());
          List<String> fields =
              new ArrayList<>(
                  List.of(
                      "\"min_instances\":" + s.minInstances(),
                      "\"max_instances\":" + s.maxInstances(),
                      "\"scale_to_zero_after_s\":" + s.scaleToZeroAfterS(),
                      "\"activation_timeout_s\":" + s.activationTimeoutS(),
                      "\"max_queued_requests\":" + s.maxQueuedRequests(),
                      "\"target_utilization\":"
                          + (c.utilizationAsString()
                              ? Fuzz.quote(utilization.toString())
                              : utilization),
                      "\"stable_window_s\":" + s.stableWindowS(),
                      "\"billing_aware_scale_down\":" + s.billingAwareScaleDown()));
          Collections.shuffle(fields, new Random(c.order()));
          String body = "{" + String.join(",", fields) + "}";
          ScalingSettings merged =
              SettingsRules.merge(SettingsRules.defaults(), JsonBody.parse(body));
          assertThat(merged).as(body).isEqualTo(s);
          // What the API answers reads back as the same settings.
          Map<String, Object> answered = SettingsRules.json(merged);
          ScalingSettings again =
              SettingsRules.merge(
                  SettingsRules.defaults(), JsonBody.parse(JSON.writeValueAsString(answered)));
          assertThat(again).isEqualTo(s);
        });
  }

  private static ScalingSettings validSettings(Fuzz.Gen g) {
    int max = g.between(1, 1_000);
    int min = g.between(0, max);
    return new ScalingSettings(
        min,
        max,
        g.between(30, 86_400),
        g.between(10, 3_600),
        g.between(1, 100_000),
        BigDecimal.valueOf(g.between(101, 1_000), 3).doubleValue(),
        g.between(6, 3_600),
        g.bool());
  }
}
