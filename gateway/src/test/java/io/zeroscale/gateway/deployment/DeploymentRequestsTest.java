package io.zeroscale.gateway.deployment;

import static io.zeroscale.gateway.model.Bodies.JSON;
import static io.zeroscale.gateway.model.Bodies.assertError;
import static io.zeroscale.gateway.model.Bodies.body;
import static io.zeroscale.gateway.model.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.web.JsonBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeploymentRequestsTest {

  private static final HardwareCatalog CATALOG = HardwareCatalog.defaults();

  static CreateRequest create(String singleQuoted) {
    return DeploymentRequests.create(
        body(singleQuoted), JSON.readTree(json(singleQuoted)).get("model"), CATALOG);
  }

  static DeploymentRequests.PatchRequest patch(String singleQuoted, Deployment current) {
    JsonBody b = body(singleQuoted);
    return DeploymentRequests.patch(
        b, JSON.readTree(json(singleQuoted)).get("model"), current, CATALOG);
  }

  @Test
  void minimalCreateTakesTheDefaults() {
    CreateRequest r = create("{'model_name':'chat','model':'llama','gpu':'A100-80GB'}");
    assertThat(r)
        .isEqualTo(
            new CreateRequest(
                "chat",
                new ModelRef.Library("llama"),
                null,
                "A100-80GB",
                1,
                64,
                SettingsRules.defaults(),
                new EngineRules.Requested(EngineOptions.NONE, null)));
  }

  @Test
  void fullCreateWithAnInlineHubModel() {
    CreateRequest r =
        create(
            "{'model_name':'chat','model':{'hf':{'repo':'meta-llama/Llama-2-7b-hf',"
                + "'revision':'v2'}},'family':'embedding','gpu':'H100-80GB','num_gpus':2,"
                + "'max_batch_size':1024,'settings':{'min_instances':1,'max_instances':2}}");
    assertThat(r.model()).isInstanceOf(ModelRef.Hub.class);
    assertThat(((ModelRef.Hub) r.model()).source().uri())
        .isEqualTo("hf://meta-llama/Llama-2-7b-hf@v2");
    assertThat(r.family()).isEqualTo(Family.EMBEDDING);
    assertThat(r.numGpus()).isEqualTo(2);
    assertThat(r.maxBatchSize()).isEqualTo(1024);
    assertThat(r.settings()).isEqualTo(new ScalingSettings(1, 2, 300, 900, 1000, 0.7, 60, true));
    CreateRequest noRevision =
        create("{'model_name':'c','model':{'hf':{'repo':'o/m'}},'gpu':'A100-80GB'}");
    assertThat(((ModelRef.Hub) noRevision.model()).source().revision()).isEqualTo("main");
    assertThat(((ModelRef.Hub) noRevision.model()).hfToken()).isNull();
  }

  @Test
  void anInlineHubModelTakesTheTenantsTokenAndNeverPrintsIt() {
    CreateRequest r =
        create(
            "{'model_name':'c','model':{'hf':{'repo':'o/m','hf_token':'hf_Private123'}},"
                + "'gpu':'A100-80GB'}");
    ModelRef.Hub hub = (ModelRef.Hub) r.model();
    assertThat(hub.hfToken()).isEqualTo("hf_Private123");
    assertThat(r.toString()).doesNotContain("hf_Private123");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{'model_name':'c','model':{'hf':{'repo':'o/m','hf_token':'hf_a b_SECRET'}},'gpu':'A100-80GB'}",
        "{'model_name':'c','model':{'hf':{'repo':'o/m','hf_token':''}},'gpu':'A100-80GB'}",
        "{'model_name':'c','model':{'hf':{'repo':'o/m','hf_token':5}},'gpu':'A100-80GB'}",
      })
  void aBadInlineTokenIs422OnItsFieldWithoutEchoingIt(String json) {
    assertThatThrownBy(() -> create(json))
        .isInstanceOfSatisfying(
            ZeroscaleException.class,
            e -> {
              assertThat(e.error().status()).isEqualTo(422);
              assertThat(e.error().param()).isEqualTo("model.hf.hf_token");
              assertThat(e.getMessage()).doesNotContain("SECRET");
            });
    String tooLong = "x".repeat(1025);
    assertThatThrownBy(
            () ->
                create(
                    "{'model_name':'c','model':{'hf':{'repo':'o/m','hf_token':'"
                        + tooLong
                        + "'}},'gpu':'A100-80GB'}"))
        .isInstanceOf(ZeroscaleException.class)
        .hasMessageNotContaining(tooLong);
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "{'model':'m','gpu':'A100-80GB'}|model_name|'model_name' is required",
        "{'model_name':'a b','model':'m','gpu':'A100-80GB'}|model_name|got 'a b'",
        "{'model_name':'c','gpu':'A100-80GB'}|model|'model' is required",
        "{'model_name':'c','model':'','gpu':'A100-80GB'}|model|must not be empty",
        "{'model_name':'c','model':5,'gpu':'A100-80GB'}|model|library model's id or name",
        "{'model_name':'c','model':{},'gpu':'A100-80GB'}|model.hf|'model.hf' is required",
        "{'model_name':'c','model':{'hf':{}},'gpu':'A100-80GB'}|model.hf.repo|is required",
        "{'model_name':'c','model':{'hf':{'repo':'noslash'}},'gpu':'A100-80GB'}|model.hf.repo"
            + "|owner/name",
        "{'model_name':'c','model':{'hf':{'repo':'o/m','revision':'a..b'}},'gpu':'A100-80GB'}"
            + "|model.hf.revision|must not contain '..'",
        "{'model_name':'c','model':{'hf':{'repo':'o/m','revision':'--trust-remote-code'}},"
            + "'gpu':'A100-80GB'}|model.hf.revision|must not start with '-'",
        "{'model_name':'c','model':{'hf':{'repo':'o/m','revision':'main.lock'}},"
            + "'gpu':'A100-80GB'}|model.hf.revision|must not end with '.lock'",
        "{'model_name':'c','model':{'hf':{'repo':'-o/m'}},'gpu':'A100-80GB'}|model.hf.repo"
            + "|must start and end with a letter, a digit or '_'",
        "{'model_name':'c','model':{'hf':{'repo':'o/m','rev':'x'}},'gpu':'A100-80GB'}"
            + "|model.hf.rev|Unknown field",
        "{'model_name':'c','model':'m','gpu':'A100-80GB','family':'chat'}|family|got 'chat'",
        "{'model_name':'c','model':'m'}|gpu|'gpu' is required",
        "{'model_name':'c','model':'m','gpu':'TPU-v5'}|gpu|Unknown GPU type 'TPU-v5'. Known GPU"
            + " types: [L40S-48GB, A100-80GB, H100-80GB, H200-141GB]",
        "{'model_name':'c','model':'m','gpu':'A100-80GB','num_gpus':3}|num_gpus|one of [1, 2, 4,"
            + " 8] (tensor parallel size), got 3",
        "{'model_name':'c','model':'m','gpu':'A100-80GB','num_gpus':0}|num_gpus|got 0",
        "{'model_name':'c','model':'m','gpu':'A100-80GB','max_batch_size':0}|max_batch_size"
            + "|between 1 and 1024, got 0",
        "{'model_name':'c','model':'m','gpu':'A100-80GB','max_batch_size':1025}|max_batch_size"
            + "|got 1025",
        "{'model_name':'c','model':'m','gpu':'A100-80GB','settings':{'max_instances':0}}"
            + "|settings.max_instances|must be >= 1",
        "{'model_name':'c','model':'m','gpu':'A100-80GB','settings':[]}|settings|must be an"
            + " object",
        "{'model_name':'c','model':'m','gpu':'A100-80GB','replicas':2}|replicas|Unknown field",
      })
  void createProblemsAre422OnTheirField(String json, String param, String message) {
    assertError(() -> create(json), 422, param, message);
  }

  @Test
  void unknownGpuHasItsOwnCode() {
    assertThatThrownBy(() -> create("{'model_name':'c','model':'m','gpu':'TPU-v5'}"))
        .isInstanceOfSatisfying(
            ZeroscaleException.class, e -> assertThat(e.error().code()).isEqualTo("unknown_gpu"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "{'model_name':'other'}|model_name",
        "{'family':'rerank'}|family",
      })
  void patchingAFixedFieldIsRefused(String json, String param) {
    Deployment current = Fixtures.deployment(SettingsRules.defaults(), DeploymentStatus.RUNNING);
    assertError(
        () -> patch(json, current),
        422,
        param,
        "is fixed for a deployment; create a new deployment");
  }

  @Test
  void patchingTheCurrentValuesAsksForNothingNew() {
    Deployment current = Fixtures.deployment(SettingsRules.defaults(), DeploymentStatus.RUNNING);
    DeploymentRequests.PatchRequest p =
        patch(
            "{'model_name':'chat','model':'llama-lib','family':'llm','gpu':'a100-80gb',"
                + "'num_gpus':2,'max_batch_size':64,'settings':{}}",
            current);
    assertThat(p.model()).isNull();
    assertThat(p.gpu()).isEqualTo(current.gpu());
    assertThat(p.numGpus()).isEqualTo(current.numGpus());
    assertThat(p.maxBatchSize()).isEqualTo(current.maxBatchSize());
    assertThat(p.engine().options()).isEqualTo(current.engine());
    assertThat(p.settings()).isEqualTo(current.settings());
    assertThat(patch("{'model':'" + current.modelId() + "'}", current).model()).isNull();
  }

  @Test
  void patchingWhatARevisionFixesReadsTheNewValues() {
    Deployment current = Fixtures.deployment(SettingsRules.defaults(), DeploymentStatus.RUNNING);
    DeploymentRequests.PatchRequest p =
        patch(
            "{'model':{'hf':{'repo':'meta-llama/Llama-2-7b-hf','revision':'v2'}},'gpu':'h100',"
                + "'num_gpus':4,'max_batch_size':32,'engine':{'dtype':'bfloat16'},"
                + "'settings':{'max_surge':2}}",
            current);
    assertThat(p.model()).isInstanceOf(ModelRef.Hub.class);
    assertThat(p.gpu()).isEqualTo("H100-80GB");
    assertThat(p.numGpus()).isEqualTo(4);
    assertThat(p.maxBatchSize()).isEqualTo(32);
    assertThat(p.engine().options().dtype()).isEqualTo("bfloat16");
    assertThat(p.settings().maxSurge()).isEqualTo(2);
    assertThat(patch("{'model':'another-model'}", current).model())
        .isEqualTo(new ModelRef.Library("another-model"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "{'gpu':'B300'}|gpu",
        "{'num_gpus':3}|num_gpus",
        "{'max_batch_size':0}|max_batch_size",
        "{'settings':{'max_surge':9}}|settings.max_surge",
        "{'settings':{'max_surge':-1}}|settings.max_surge",
        "{'engine':{'dtype':'int3'}}|engine.dtype",
        "{'replicas':2}|replicas",
      })
  void aBadPatchIs422OnItsField(String json, String param) {
    Deployment current = Fixtures.deployment(SettingsRules.defaults(), DeploymentStatus.RUNNING);
    assertThatThrownBy(() -> patch(json, current))
        .isInstanceOfSatisfying(
            ZeroscaleException.class,
            e -> {
              assertThat(e.error().status()).isEqualTo(422);
              assertThat(e.error().param()).isEqualTo(param);
            });
  }
}
