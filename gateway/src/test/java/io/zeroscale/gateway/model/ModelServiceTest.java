package io.zeroscale.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.Family;
import io.zeroscale.api.testing.MutableClock;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.model.hub.HfSource;
import io.zeroscale.gateway.model.hub.HubClient;
import io.zeroscale.gateway.model.hub.HubLookup;
import io.zeroscale.gateway.model.hub.StandInHub;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;

/**
 * The import limits come before any work: a refused import reaches neither the hub nor the database
 * (there is none here: the store, secrets and transactions are null, so touching them would fail
 * the test).
 */
class ModelServiceTest {

  private static final Duration BLOCK = Duration.ofSeconds(30);
  private static final UUID TENANT = UUID.randomUUID();

  private final StandInHub hub = StandInHub.start().add(StandInHub.LLAMA_7B);
  private final MutableClock clock = MutableClock.at(Instant.parse("2026-11-01T00:00:00Z"));
  private final ImportLimits limits =
      new ImportLimits(new ModelsProperties(1, 5, 500, false), HubClient.DEFAULT_TIMEOUT, clock);
  private final ModelService models =
      new ModelService(
          null,
          new HubClient(WebClient.builder(), hub.baseUrl(), Duration.ofSeconds(20)),
          null,
          limits,
          null,
          clock,
          false);

  @AfterEach
  void stopHub() {
    hub.close();
  }

  @Test
  void anInlineImportPastTheHourlyLimitNeverReachesTheHub() {
    HfSource llama = HfSource.of(StandInHub.LLAMA_7B.repo());

    HubLookup first = models.lookupForImport(TENANT, llama).block(BLOCK);

    assertThat(first).isInstanceOf(HubLookup.Found.class);
    StepVerifier.create(models.lookupForImport(TENANT, llama))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        ZeroscaleException.class,
                        z -> {
                          assertThat(z.error().status()).isEqualTo(429);
                          assertThat(z.retryAfterSeconds()).isEqualTo(3600);
                        }))
        .verify(BLOCK);
    assertThat(hub.requests()).hasSize(2);
  }

  @Test
  void anImportPastTheHourlyLimitIsRefusedBeforeTheDatabase() {
    limits.take(TENANT);
    ModelService.ImportRequest req =
        new ModelService.ImportRequest(
            "llama7", HfSource.of(StandInHub.LLAMA_7B.repo()), Family.LLM, null);

    StepVerifier.create(models.importModel(TENANT, req))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        ZeroscaleException.class,
                        z -> assertThat(z.error().code()).isEqualTo("rate_limit_exceeded")))
        .verify(BLOCK);
    assertThat(hub.requests()).isEmpty();
  }
}
