package io.zeroscale.gateway.deployment;

import static io.zeroscale.gateway.model.Bodies.JSON;
import static io.zeroscale.gateway.model.Bodies.assertError;
import static io.zeroscale.gateway.model.Bodies.body;
import static io.zeroscale.gateway.model.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.hardware.GpuType;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.web.JsonBody;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue #20: the seed platforms' request shapes are aliases of ours (DeepInfra's top-level {@code
 * hf}, Together's lower-case GPU names and bare {@code org/name} sources).
 */
class SeedShapesTest {

  private static final HardwareCatalog CATALOG = HardwareCatalog.defaults();

  static CreateRequest create(String singleQuoted, HardwareCatalog catalog) {
    return DeploymentRequests.create(
        body(singleQuoted), JSON.readTree(json(singleQuoted)).get("model"), catalog);
  }

  static CreateRequest create(String singleQuoted) {
    return create(singleQuoted, CATALOG);
  }

  @Test
  void aTopLevelHfIsTheSameAsModelHf() {
    CreateRequest alias =
        create(
            "{'model_name':'c','hf':{'repo':'o/m','revision':'v2','hf_token':'hf_x1'},"
                + "'gpu':'A100-80GB'}");
    CreateRequest canonical =
        create(
            "{'model_name':'c','model':{'hf':{'repo':'o/m','revision':'v2','hf_token':'hf_x1'}},"
                + "'gpu':'A100-80GB'}");
    assertThat(alias).isEqualTo(canonical);
    assertThat(((ModelRef.Hub) alias.model()).source().uri()).isEqualTo("hf://o/m@v2");
  }

  @Test
  void aTopLevelHfTakesDeepInfrasTokenField() {
    CreateRequest r =
        create("{'model_name':'c','hf':{'repo':'o/m','token':'hf_Secret9'},'gpu':'A100-80GB'}");
    assertThat(((ModelRef.Hub) r.model()).hfToken()).isEqualTo("hf_Secret9");
    assertError(
        () ->
            create(
                "{'model_name':'c','hf':{'repo':'o/m','token':'a','hf_token':'b'},"
                    + "'gpu':'A100-80GB'}"),
        422,
        "hf.token",
        "once");
    assertError(
        () ->
            create(
                "{'model_name':'c','model':{'hf':{'repo':'o/m','token':'a'}},'gpu':'A100-80GB'}"),
        422,
        "model.hf.token",
        "Unknown field");
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "{'model_name':'c','model':'lib','hf':{'repo':'o/m'},'gpu':'A100-80GB'}|hf|not both",
        "{'model_name':'c','model':{'hf':{'repo':'o/m'}},'hf':{'repo':'o/m'},'gpu':'A100-80GB'}"
            + "|hf|not both",
        "{'model_name':'c','hf':'o/m','gpu':'A100-80GB'}|hf|must be an object",
        "{'model_name':'c','hf':{'repo':'noslash'},'gpu':'A100-80GB'}|hf.repo|owner/name",
        "{'model_name':'c','model':'o/-m','gpu':'A100-80GB'}|model|must start and end",
        "{'model_name':'c','model':'m','gpu':'tpu'}|gpu|Unknown GPU type 'tpu'",
      })
  void badAliasesAre422OnTheirField(String json, String param, String message) {
    assertError(() -> create(json), 422, param, message);
  }

  @Test
  void aBareOrgNameModelIsAHubSource() {
    CreateRequest bare =
        create("{'model_name':'c','model':'meta-llama/Llama-2-7b-hf','gpu':'h100'}");
    assertThat(bare.model())
        .isEqualTo(
            new ModelRef.Hub(
                io.zeroscale.gateway.model.hub.HfSource.of("meta-llama/Llama-2-7b-hf"), null));
    assertThat(create("{'model_name':'c','model':'o/m@v1','gpu':'A100-80GB'}").model())
        .isEqualTo(
            new ModelRef.Hub(new io.zeroscale.gateway.model.hub.HfSource("o/m", "v1"), null));
    assertThat(create("{'model_name':'c','model':'llama','gpu':'A100-80GB'}").model())
        .as("no slash: still a library model")
        .isEqualTo(new ModelRef.Library("llama"));
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
    "h100, H100-80GB",
    "H100, H100-80GB",
    "a100, A100-80GB",
    "l40s, L40S-48GB",
    "h200, H200-141GB",
    "h100-80gb, H100-80GB",
    "A100-80GB, A100-80GB",
  })
  void gpuNamesAreCaseInsensitiveWithShortAliases(String requested, String stored) {
    assertThat(create("{'model_name':'c','model':'m','gpu':'" + requested + "'}").gpu())
        .isEqualTo(stored);
  }

  @Test
  void anAmbiguousAliasIs422ListingItsTypes() {
    HardwareCatalog two =
        new HardwareCatalog(
            List.of(
                new GpuType("A100-40GB", 40, BigDecimal.ONE),
                new GpuType("A100-80GB", 80, BigDecimal.TWO)));
    assertThatThrownBy(() -> create("{'model_name':'c','model':'m','gpu':'a100'}", two))
        .isInstanceOfSatisfying(
            ZeroscaleException.class,
            e -> {
              assertThat(e.error().status()).isEqualTo(422);
              assertThat(e.error().param()).isEqualTo("gpu");
              assertThat(e.error().code()).isEqualTo("ambiguous_gpu");
              assertThat(e.error().message()).contains("[A100-40GB, A100-80GB]");
            });
    assertThat(create("{'model_name':'c','model':'m','gpu':'a100-80gb'}", two).gpu())
        .as("the full name in another case is not ambiguous")
        .isEqualTo("A100-80GB");
  }

  @Test
  void aPutOrPatchMaySendTheCurrentGpuByAliasAndAnotherOneAsANewRevision() {
    Deployment current = Fixtures.deployment(SettingsRules.defaults(), DeploymentStatus.RUNNING);
    JsonBody same = body("{'gpu':'a100','settings':{}}");
    assertThat(DeploymentRequests.patch(same, null, current, CATALOG).gpu())
        .isEqualTo(current.gpu());
    JsonBody other = body("{'gpu':'h100'}");
    assertThat(DeploymentRequests.patch(other, null, current, CATALOG).gpu())
        .isEqualTo("H100-80GB");
  }
}
