package io.zeroscale.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.Family;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.model.hub.HubClient;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The steps hub and S3 imports share, without a database: the store is null, so a step that touched
 * it would fail the test.
 */
class ImportStepsTest {

  private final ImportSteps steps =
      new ImportSteps(
          null,
          new ImportLimits(
              new ModelsProperties(1, 5, 500, false),
              HubClient.DEFAULT_TIMEOUT,
              Clock.systemUTC()));

  @Test
  void inlineNamesWithoutASourceNameAreTheDeploymentsThenItsSuffixes() {
    assertThat(ImportSteps.inlineNames("chat", Optional.empty()))
        .containsExactly(
            "chat", "chat-2", "chat-3", "chat-4", "chat-5", "chat-6", "chat-7", "chat-8", "chat-9");
  }

  @Test
  void aSourceNameLikeTheDeploymentsIsNotOfferedTwice() {
    assertThat(ImportSteps.inlineNames("chat", Optional.of("chat")))
        .startsWith("chat", "chat-2")
        .hasSize(9)
        .doesNotHaveDuplicates();
  }

  @Test
  void aFailedLookupIsRefusedOnTheSourcesParamBeforeTheLibraryIsCounted() {
    ImportOutcome failed = ImportOutcome.failed("no such repo");

    StepVerifier.create(
            steps.insertInline(
                UUID.randomUUID(),
                "s3://models/gone",
                "model.s3.source",
                failed,
                List.of("chat"),
                name -> Mono.error(new AssertionError("nothing may be stored"))))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        ZeroscaleException.class,
                        z -> {
                          assertThat(z.error().status()).isEqualTo(422);
                          assertThat(z.error().param()).isEqualTo("model.s3.source");
                          assertThat(z.error().code()).isEqualTo("model_import_failed");
                          assertThat(z.error().message())
                              .isEqualTo("Cannot import s3://models/gone: no such repo");
                        }))
        .verify();
  }

  @Test
  void aModelImportedCarriesItsOriginAndOutcomeAndReadsItBack() {
    UUID id = UUID.randomUUID();
    ImportOutcome o = ImportOutcome.failed("gone");
    Model m =
        Model.imported(
            id,
            UUID.randomUUID(),
            "chat",
            Family.LLM,
            new Model.Origin("s3://b/p", "s3://b/p", "", false, "https://minio.example", true),
            o,
            Instant.parse("2026-11-01T00:00:00Z"));

    assertThat(m.outcome()).isEqualTo(o);
    assertThat(m.s3()).isTrue();
    assertThat(m.endpoint()).isEqualTo("https://minio.example");
    assertThat(m.hasS3Credentials()).isTrue();
    assertThat(m.hasHfToken()).isFalse();
    assertThat(m.updatedAt()).isEqualTo(m.createdAt());
  }
}
