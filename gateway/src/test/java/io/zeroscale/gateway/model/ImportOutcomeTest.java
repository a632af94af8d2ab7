package io.zeroscale.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.gateway.model.hub.HubLookup;
import org.junit.jupiter.api.Test;

class ImportOutcomeTest {

  @Test
  void foundIsReadyWithWhatTheHubTold() {
    ImportOutcome o =
        ImportOutcome.of(
            new HubLookup.Found(
                "o/m",
                "main",
                "abc",
                "LlamaForCausalLM",
                "llama",
                13_476_839_424L,
                6_738_415_616L));
    assertThat(o)
        .isEqualTo(
            new ImportOutcome(
                ModelStatus.READY,
                null,
                "abc",
                "LlamaForCausalLM",
                "llama",
                13_476_839_424L,
                6_738_415_616L));
  }

  @Test
  void notFoundDeniedAndNoWeightsFailWithTheReason() {
    assertThat(ImportOutcome.of(new HubLookup.NotFound("no repo o/m")))
        .extracting(ImportOutcome::status, ImportOutcome::error)
        .containsExactly(ModelStatus.FAILED, "no repo o/m");
    ImportOutcome denied = ImportOutcome.of(new HubLookup.Denied("the hub refused access"));
    assertThat(denied.status()).isEqualTo(ModelStatus.FAILED);
    assertThat(denied.error()).contains("the hub refused access", "hf_token");
    assertThat(ImportOutcome.of(new HubLookup.NoWeights("only .bin files")))
        .extracting(ImportOutcome::status, ImportOutcome::error)
        .containsExactly(ModelStatus.FAILED, "only .bin files");
  }

  @Test
  void unreachableIsUnverifiedAndSaysWhy() {
    ImportOutcome o = ImportOutcome.of(new HubLookup.Unreachable("timed out after 5s"));
    assertThat(o.status()).isEqualTo(ModelStatus.UNVERIFIED);
    assertThat(o.error()).contains("could not be reached", "timed out after 5s", "not checked");
    assertThat(o.weightBytes()).isNull();
  }
}
