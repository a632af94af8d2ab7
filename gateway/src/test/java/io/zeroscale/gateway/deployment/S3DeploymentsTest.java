package io.zeroscale.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.Family;
import io.zeroscale.api.crypto.SecretBox;
import io.zeroscale.api.redis.DeploymentCredentials;
import io.zeroscale.api.redis.S3Access;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.model.ImportOutcome;
import io.zeroscale.gateway.model.InstanceTokens;
import io.zeroscale.gateway.model.Model;
import io.zeroscale.gateway.model.ModelStatus;
import io.zeroscale.gateway.model.hub.HubLookup;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Deployments of S3 models (issue #20): refusals, warnings, the credentials entry's shape. */
class S3DeploymentsTest {

  private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

  private static Model s3Model(ModelStatus status) {
    return new Model(
        UUID.randomUUID(),
        UUID.randomUUID(),
        "llama-s3",
        "s3://models/llama/7b",
        "s3://models/llama/7b",
        "",
        Family.LLM,
        status,
        null,
        null,
        null,
        null,
        13L,
        null,
        false,
        T,
        T,
        "http://minio:9000",
        true);
  }

  @Test
  void anInlineS3SourceIsRefusedOnModelWithWhatToDo() {
    assertThatThrownBy(
            () ->
                DeploymentRequestsTest.create(
                    "{'model_name':'x','model':'s3://models/llama/7b','gpu':'A100-80GB'}"))
        .isInstanceOf(ZeroscaleException.class)
        .satisfies(
            e -> {
              var error = ((ZeroscaleException) e).error();
              assertThat(error.status()).isEqualTo(422);
              assertThat(error.param()).isEqualTo("model");
              assertThat(error.message()).contains("POST /api/v1/models");
            });
  }

  @Test
  void anInlineModelS3IsParsedWithItsEndpointAndCredentials() {
    CreateRequest r =
        DeploymentRequestsTest.create(
            "{'model_name':'x','gpu':'A100-80GB','model':{'s3':{'source':'s3://models/llama/7b',"
                + "'endpoint':'http://minio:9000/','s3_credentials':{'access_key_id':'AKIA',"
                + "'secret_access_key':'SECRETPART0123'}}}}");
    assertThat(r.model()).isInstanceOf(ModelRef.S3.class);
    ModelRef.S3 s3 = (ModelRef.S3) r.model();
    assertThat(s3.source().uri()).isEqualTo("s3://models/llama/7b");
    assertThat(s3.access())
        .isEqualTo(new S3Access("http://minio:9000", null, "AKIA", "SECRETPART0123", null));
    assertThat(s3.toString()).doesNotContain("SECRETPART");
  }

  @Test
  void inlineModelS3RefusalsNameTheirField() {
    record Case(String model, String param) {}
    for (Case c :
        new Case[] {
          new Case("{'s3':{'source':'s3://models'}}", "model.s3.source"),
          new Case("{'s3':{}}", "model.s3.source"),
          new Case(
              "{'s3':{'source':'s3://models/x','endpoint':'gopher://h'}}", "model.s3.endpoint"),
          new Case(
              "{'s3':{'source':'s3://models/x','s3_credentials':{'access_key_id':'A'}}}",
              "model.s3.s3_credentials.secret_access_key"),
          new Case(
              "{'s3':{'source':'s3://models/x','hf_token':'SECRETPART'}}", "model.s3.hf_token"),
          new Case("{'s3':{'source':'s3://models/x'},'hf':{'repo':'a/b'}}", "model.s3"),
          new Case("{'s3':'s3://models/x'}", "model.s3"),
        }) {
      assertThatThrownBy(
              () ->
                  DeploymentRequestsTest.create(
                      "{'model_name':'x','gpu':'A100-80GB','model':" + c.model() + "}"))
          .as(c.model())
          .isInstanceOf(ZeroscaleException.class)
          .satisfies(
              e -> {
                var error = ((ZeroscaleException) e).error();
                assertThat(error.status()).isEqualTo(422);
                assertThat(error.param()).isEqualTo(c.param());
                assertThat(error.message()).doesNotContain("SECRETPART");
              });
    }
  }

  @Test
  void anS3ModelRunsItsSourceAsItIsAndWarnsOnlyWhenUnverified() {
    assertThat(DeploymentRules.pinnedSource("s3://models/llama/7b", null))
        .isEqualTo("s3://models/llama/7b");
    assertThat(DeploymentRules.warning(s3Model(ModelStatus.READY))).isEmpty();
    assertThat(DeploymentRules.warning(s3Model(ModelStatus.UNVERIFIED)).orElseThrow())
        .contains("S3 store")
        .doesNotContain("Hugging Face");
    assertThat(s3Model(ModelStatus.READY).json().revision()).isNull();
    assertThat(s3Model(ModelStatus.READY).json().hasS3Credentials()).isTrue();
  }

  @Test
  void theEntryOfAnS3ModelMustCarryItsAccessAndAHubModelsMustNot() {
    byte[] key = new byte[32];
    SecretBox box = new SecretBox(key, new SecureRandom());
    InstanceTokens tokens = new InstanceTokens(box, true);
    DeploymentCredentials s3Entry =
        DeploymentCredentials.s3(box, "d", S3Access.ANONYMOUS, JsonMapper.builder().build());
    assertThat(tokens.matches(s3Entry, s3Model(ModelStatus.READY))).isTrue();
    assertThat(tokens.matches(DeploymentCredentials.NONE, s3Model(ModelStatus.READY)))
        .as("repaired by the sweeper")
        .isFalse();
    assertThat(tokens.matches(DeploymentCredentials.PLATFORM, s3Model(ModelStatus.UNVERIFIED)))
        .isFalse();
    Model hub = Fixtures.model("llama", ModelStatus.READY, 13L);
    assertThat(tokens.matches(s3Entry, hub)).isFalse();
    assertThat(tokens.matches(DeploymentCredentials.NONE, hub)).isTrue();
  }

  @Test
  void s3OutcomesAreInS3sWords() {
    ImportOutcome denied = ImportOutcome.ofS3(new HubLookup.Denied("refused (HTTP 403)"));
    assertThat(denied.status()).isEqualTo(ModelStatus.FAILED);
    assertThat(denied.error()).contains("s3_credentials").doesNotContain("hf_token");
    ImportOutcome unreachable = ImportOutcome.ofS3(new HubLookup.Unreachable("timed out"));
    assertThat(unreachable.status()).isEqualTo(ModelStatus.UNVERIFIED);
    assertThat(unreachable.error()).contains("S3 store").doesNotContain("Hugging Face");
    assertThat(ImportOutcome.ofS3(new HubLookup.NotFound("no config.json")).status())
        .isEqualTo(ModelStatus.FAILED);
  }
}
