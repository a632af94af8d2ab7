package io.zeroscale.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.web.Fuzz;
import io.zeroscale.gateway.web.JsonBody;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import tools.jackson.databind.json.JsonMapper;

/**
 * Property-based tests of the tenant/admin body readers ({@link JsonBody}, {@link SettingsRules},
 * {@link DeploymentRequests}): for random and mutated bodies, every reader either accepts or
 * answers a {@link ZeroscaleException} with a 4xx and a message of bounded size, whatever the size
 * of the input; and accepted settings read back as sent.
 */
class RequestBodyFuzzTest {

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
  private static Arbitrary<String> objectsOf(List<String> names, int maxSize) {
    return Arbitraries.of(names)
        .list()
        .ofMaxSize(maxSize)
        .flatMap(n -> Fuzz.values().list().ofSize(n.size()).map(v -> Fuzz.object(n, v)));
  }

  @Provide
  Arbitrary<String> createBodies() {
    return Combinators.combine(
            objectsOf(
                List.of("model_name", "model", "gpu", "num_gpus", "max_batch_size", "family"), 6),
            objectsOf(SettingsRules.FIELDS, 8))
        .as(
            (fields, settings) ->
                (fields.length() > 2 ? fields.substring(0, fields.length() - 1) + "," : "{")
                    + "\"settings\":"
                    + settings
                    + "}");
  }

  @Property(tries = 200)
  void randomBodiesAreAcceptedOrRefusedSmall(@ForAll("createBodies") String body) {
    readEverything(body);
  }

  @Property(tries = 200)
  void mutatedBodiesAreAcceptedOrRefusedSmall(
      @ForAll("createBodies") String body, @ForAll("mutations") List<Fuzz.Mutation> mutations) {
    readEverything(Fuzz.mutate(body, mutations));
  }

  @Provide
  Arbitrary<List<Fuzz.Mutation>> mutations() {
    return Fuzz.mutations().list().ofMinSize(1).ofMaxSize(4);
  }

  @Property(tries = 200)
  void anyTextIsAcceptedOrRefusedSmall(@ForAll @Size(max = 300) String text) {
    readEverything(text);
  }

  @Property(tries = 200)
  void nastyNumbersInEverySettingAreAcceptedOrRefusedSmall(
      @ForAll("settingsNames") String field, @ForAll("numberValues") String value) {
    readEverything("{\"settings\":{\"" + field + "\":" + value + "}}");
    readEverything("{\"" + field + "\":" + value + "}");
  }

  @Provide
  Arbitrary<String> settingsNames() {
    return Arbitraries.of(SettingsRules.FIELDS);
  }

  @Provide
  Arbitrary<String> numberValues() {
    return Arbitraries.oneOf(Fuzz.numbers(), Fuzz.numbers().map(Fuzz::quote));
  }

  /** Any decimal within 18 digits either side reads back exactly, as a number or a string. */
  @Property(tries = 300)
  void boundedDecimalsRoundTrip(@ForAll("boundedDecimals") BigDecimal value) {
    for (String text : List.of(value.toString(), value.toPlainString())) {
      for (String json : List.of(text, Fuzz.quote(text))) {
        BigDecimal read = JsonBody.parse("{\"d\":" + json + "}").optionalDecimal("d").orElseThrow();
        assertThat(read).isEqualByComparingTo(value);
      }
    }
  }

  @Provide
  Arbitrary<BigDecimal> boundedDecimals() {
    return Combinators.combine(
            Arbitraries.bigIntegers()
                .between(new BigInteger("-" + "9".repeat(18)), new BigInteger("9".repeat(18))),
            Arbitraries.integers().between(0, 18))
        .as(BigDecimal::new);
  }

  /** Valid settings, sent in any order and either number form, merge to exactly themselves. */
  @Property(tries = 300)
  void acceptedSettingsRoundTrip(
      @ForAll("validSettings") ScalingSettings s, @ForAll boolean utilizationAsString) {
    BigDecimal utilization = BigDecimal.valueOf(s.targetUtilization());
    String body =
        "{\"min_instances\":"
            + s.minInstances()
            + ",\"max_instances\":"
            + s.maxInstances()
            + ",\"scale_to_zero_after_s\":"
            + s.scaleToZeroAfterS()
            + ",\"activation_timeout_s\":"
            + s.activationTimeoutS()
            + ",\"max_queued_requests\":"
            + s.maxQueuedRequests()
            + ",\"target_utilization\":"
            + (utilizationAsString ? Fuzz.quote(utilization.toString()) : utilization)
            + ",\"stable_window_s\":"
            + s.stableWindowS()
            + ",\"billing_aware_scale_down\":"
            + s.billingAwareScaleDown()
            + "}";
    ScalingSettings merged = SettingsRules.merge(SettingsRules.defaults(), JsonBody.parse(body));
    assertThat(merged).isEqualTo(s);
    // What the API answers reads back as the same settings.
    Map<String, Object> answered = SettingsRules.json(merged);
    ScalingSettings again =
        SettingsRules.merge(
            SettingsRules.defaults(), JsonBody.parse(JSON.writeValueAsString(answered)));
    assertThat(again).isEqualTo(s);
  }

  @Provide
  Arbitrary<ScalingSettings> validSettings() {
    Arbitrary<int[]> instances =
        Arbitraries.integers()
            .between(1, 1_000)
            .flatMap(
                max -> Arbitraries.integers().between(0, max).map(min -> new int[] {min, max}));
    return Combinators.combine(
            instances,
            Arbitraries.integers().between(30, 86_400),
            Arbitraries.integers().between(10, 3_600),
            Arbitraries.integers().between(1, 100_000),
            Arbitraries.integers().between(101, 1_000),
            Arbitraries.integers().between(6, 3_600),
            Arbitraries.of(true, false))
        .as(
            (mm, toZero, activation, queued, milli, window, billingAware) ->
                new ScalingSettings(
                    mm[0],
                    mm[1],
                    toZero,
                    activation,
                    queued,
                    BigDecimal.valueOf(milli, 3).doubleValue(),
                    window,
                    billingAware));
  }
}
