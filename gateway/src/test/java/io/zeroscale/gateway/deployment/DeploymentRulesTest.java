package io.zeroscale.gateway.deployment;

import static io.zeroscale.gateway.deployment.Fixtures.LLAMA_70B;
import static io.zeroscale.gateway.deployment.Fixtures.LLAMA_7B;
import static io.zeroscale.gateway.deployment.Fixtures.model;
import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.hardware.GpuType;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.model.Model;
import io.zeroscale.gateway.model.ModelStatus;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeploymentRulesTest {

  private static final HardwareCatalog CATALOG = HardwareCatalog.defaults();

  private static GpuType gpu(String name) {
    return CATALOG.find(name).orElseThrow();
  }

  @ParameterizedTest(name = "quota {0}, others {1}, {2} × {3} → ok={4}")
  @CsvSource({
    // quota, used by others, max_instances, num_gpus, allowed
    "4, 0, 1, 1, true",
    "4, 0, 4, 1, true",
    "4, 0, 2, 2, true",
    "4, 0, 1, 4, true",
    "4, 0, 5, 1, false",
    "4, 0, 1, 8, false",
    "4, 2, 2, 1, true",
    "4, 2, 3, 1, false",
    "4, 2, 1, 2, true",
    "4, 2, 2, 2, false",
    "4, 4, 1, 1, false",
    "0, 0, 1, 1, false",
    "10000, 9992, 1, 8, true",
    // max_instances × num_gpus computed in long: no int overflow
    "4, 0, 2147483647, 8, false",
  })
  void quotaArithmetic(int quota, long used, int max, int gpus, boolean allowed) {
    Optional<Violation> v = DeploymentRules.quota(quota, used, max, gpus);
    assertThat(v.isEmpty()).isEqualTo(allowed);
    v.ifPresent(
        x -> {
          assertThat(x.param()).isEqualTo("settings.max_instances");
          assertThat(x.code()).isEqualTo("quota_exceeded");
          assertThat(x.message()).contains("quota of " + quota + " GPUs");
        });
  }

  @Test
  void quotaMessageShowsTheArithmetic() {
    assertThat(DeploymentRules.quota(4, 2, 2, 2).orElseThrow().message())
        .contains("up to 2 × 2 = 4 GPUs", "your other deployments up to 2", "quota of 4 GPUs");
  }

  @ParameterizedTest(name = "{0} bytes on {2} × {1} → fits={3}")
  @CsvSource({
    "13476839424, A100-80GB, 1, true",
    "13476839424, L40S-48GB, 1, true",
    "137953316864, A100-80GB, 1, false",
    "137953316864, A100-80GB, 2, false",
    "137953316864, A100-80GB, 4, true",
    "137953316864, H200-141GB, 2, true",
    "137953316864, H200-141GB, 1, false",
  })
  void fitUsesWeightsTimesOnePointTwo(long bytes, String gpu, int numGpus, boolean fits) {
    Optional<Violation> v =
        DeploymentRules.fit(model("m", ModelStatus.READY, bytes), gpu(gpu), numGpus);
    assertThat(v.isEmpty()).isEqualTo(fits);
  }

  @Test
  void fitMessageSaysHowManyGpusAreNeeded() {
    Violation v =
        DeploymentRules.fit(model("llama70", ModelStatus.READY, LLAMA_70B), gpu("A100-80GB"), 2)
            .orElseThrow();
    assertThat(v.param()).isEqualTo("num_gpus");
    assertThat(v.code()).isEqualTo("model_does_not_fit");
    assertThat(v.message())
        .contains("needs 165.54 GB", "137.95 GB of weights + 20%", "2 × A100-80GB hold 160 GB")
        .contains("use num_gpus 4");
    Violation huge =
        DeploymentRules.fit(model("huge", ModelStatus.READY, 700_000_000_000L), gpu("A100-80GB"), 8)
            .orElseThrow();
    assertThat(huge.message()).contains("does not fit even in 8 GPUs");
  }

  @Test
  void aRevisionKeepsTheDeploymentsFamily() {
    Model llm = model("chat", ModelStatus.READY, LLAMA_7B);
    assertThat(DeploymentRules.sameFamily(llm, Family.LLM)).isEmpty();
    Violation v = DeploymentRules.sameFamily(llm, Family.EMBEDDING).orElseThrow();
    assertThat(v.param()).isEqualTo("model");
    assertThat(v.code()).isEqualTo("family_mismatch");
    assertThat(v.message()).contains("'llm'", "'embedding'", "new deployment");
  }

  @Test
  void unverifiedModelsAreNotFitCheckedButWarned() {
    var unverified = model("m", ModelStatus.UNVERIFIED, null);
    assertThat(DeploymentRules.fit(unverified, gpu("L40S-48GB"), 1)).isEmpty();
    assertThat(DeploymentRules.usable(unverified)).isEmpty();
    assertThat(DeploymentRules.warning(unverified))
        .hasValueSatisfying(
            w ->
                assertThat(w)
                    .contains("unverified", "not checked")
                    .contains("run the revision 'main' as it is when they boot"));
    assertThat(DeploymentRules.warning(model("m", ModelStatus.READY, LLAMA_7B))).isEmpty();
  }

  @Test
  void aVerifiedModelWhoseCommitTheHubDidNotTellIsWarnedUnpinned() {
    Model ready = model("m", ModelStatus.READY, LLAMA_7B);
    Model noSha =
        new Model(
            ready.id(),
            ready.tenantId(),
            ready.name(),
            ready.source(),
            ready.repo(),
            ready.revision(),
            ready.family(),
            ready.status(),
            ready.error(),
            ready.architecture(),
            ready.modelType(),
            null,
            ready.weightBytes(),
            ready.parameterCount(),
            ready.hasHfToken(),
            ready.createdAt(),
            ready.updatedAt(),
            null,
            false);
    assertThat(DeploymentRules.warning(noSha))
        .hasValueSatisfying(w -> assertThat(w).contains("did not tell the commit", "'main'"));
  }

  @Test
  void importingAndFailedModelsAreNotDeployable() {
    Violation importing =
        DeploymentRules.usable(model("m", ModelStatus.IMPORTING, null)).orElseThrow();
    assertThat(importing.param()).isEqualTo("model");
    assertThat(importing.code()).isEqualTo("model_importing");
    assertThat(importing.message()).contains("still importing");
    Violation failed = DeploymentRules.usable(model("m", ModelStatus.FAILED, null)).orElseThrow();
    assertThat(failed.code()).isEqualTo("model_failed");
    assertThat(failed.message()).contains("failed to import", "the hub has no repo o/m");
  }

  @Test
  void theSurgeIsMaxSurgeLoweredToWhatTheQuotaLeaves() {
    // quota 8, others 2, 2 × 2 GPUs: 2 GPUs left = one 2-GPU instance.
    assertThat(DeploymentRules.surge(8, 2, 2, 2, 3)).isEqualTo(1);
    assertThat(DeploymentRules.surge(8, 2, 2, 2, 0)).isZero();
    assertThat(DeploymentRules.surge(8, 0, 2, 1, 1)).isEqualTo(1);
    assertThat(DeploymentRules.surge(8, 0, 2, 1, 8)).isEqualTo(6);
    // No room left (or over quota after an admin lowered it): replace one at a time.
    assertThat(DeploymentRules.surge(8, 4, 2, 2, 1)).isZero();
    assertThat(DeploymentRules.surge(4, 6, 2, 2, 1)).isZero();
    // 3 GPUs left do not hold one 4-GPU instance.
    assertThat(DeploymentRules.surge(7, 0, 1, 4, 1)).isZero();
  }

  @Test
  void aQuotaRefusalBlamesTheFieldThatGrew() {
    assertThat(DeploymentRules.quota(4, 2, 2, 2, "num_gpus"))
        .get()
        .satisfies(
            v -> {
              assertThat(v.param()).isEqualTo("num_gpus");
              assertThat(v.code()).isEqualTo("quota_exceeded");
            });
    assertThat(DeploymentRules.quota(4, 0, 2, 2, "num_gpus")).isEmpty();
  }

  @Test
  void duringARolloutTheQuotaCountsTheLargerOfBothRevisionsGpus() {
    // Active 1 × 8 GPUs rolling out to 1 GPU: max_instances 8 is 64 GPUs, not 8.
    int perInstance = DeploymentRules.quotaNumGpus(1, 8);
    assertThat(perInstance).isEqualTo(8);
    assertThat(DeploymentRules.quota(8, 0, 8, perInstance)).isPresent();
    assertThat(DeploymentRules.quotaNumGpus(4, 2)).isEqualTo(4);
    assertThat(DeploymentRules.quotaNumGpus(2, 0)).as("no active revision").isEqualTo(2);
  }

  @ParameterizedTest(name = "quota {0}, others {1}, {2}..{3} × {4} → {5}..{6}")
  @CsvSource({
    // quota, others, min, max, num_gpus, lowered min, lowered max (-1: unchanged)
    "8, 0, 0, 8, 1, -1, -1",
    "8, 0, 0, 8, 8, 0, 1",
    "8, 0, 2, 2, 4, -1, -1",
    "4, 0, 2, 2, 4, 1, 1",
    "12, 0, 0, 8, 4, 0, 3",
    "8, 4, 3, 4, 2, 2, 2",
    // Never below 1: the instance that serves exists, even over the quota.
    "4, 4, 1, 2, 2, 1, 1",
    "0, 0, 0, 1, 8, 0, 1",
  })
  void anAutomaticRollbackLowersInstancesToWhatTheQuotaHolds(
      int quota, long others, int min, int max, int numGpus, int newMin, int newMax) {
    ScalingSettings s = new ScalingSettings(min, max, 300, 900, 1000, 0.7, 60, true, 1);
    Optional<ScalingSettings> lowered = DeploymentRules.withinQuota(quota, others, s, numGpus);
    if (newMax < 0) {
      assertThat(lowered).isEmpty();
      return;
    }
    assertThat(lowered)
        .get()
        .satisfies(
            l -> {
              assertThat(l.maxInstances()).isEqualTo(newMax);
              assertThat(l.minInstances()).isEqualTo(newMin);
              assertThat(l.maxSurge()).isEqualTo(1);
              assertThat(l.scaleToZeroAfterS()).isEqualTo(300);
            });
  }
}
