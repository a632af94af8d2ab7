package io.zeroscale.gateway.model.hub;

import static io.zeroscale.gateway.model.hub.StandInHub.LLAMA_70B;
import static io.zeroscale.gateway.model.hub.StandInHub.LLAMA_7B;
import static io.zeroscale.gateway.model.hub.StandInHub.SHARD_HEADER_BYTES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

class HubClientTest {

  /** Longer than any client timeout below, so a lookup always ends by its own rules. */
  private static final Duration BLOCK = Duration.ofSeconds(30);

  /**
   * The lookup timeout of the tests that are not about it: a cold first request on a loaded machine
   * must not turn a found model into an unreachable hub.
   */
  private static final Duration PATIENT = Duration.ofSeconds(20);

  private StandInHub hub;
  private HubClient client;

  /** What the client logged during the test. */
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void startHub() {
    hub = StandInHub.start();
    client = clientFor(hub.baseUrl(), PATIENT);
    logs.start();
    ((Logger) LoggerFactory.getLogger(HubClient.class)).addAppender(logs);
  }

  @AfterEach
  void stopHub() {
    ((Logger) LoggerFactory.getLogger(HubClient.class)).detachAppender(logs);
    hub.close();
  }

  /** The URL of a hub that stopped: its port refuses connections. */
  private static URI closedPort() {
    try (StandInHub gone = StandInHub.start()) {
      return gone.baseUrl();
    }
  }

  private List<String> logged() {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** Hosts the client asked to resolve; every name resolves to 10.0.0.7, a private address. */
  private final List<String> resolved = new CopyOnWriteArrayList<>();

  private HubClient clientFor(URI baseUrl, Duration timeout) {
    HostResolver privateDns =
        host -> {
          resolved.add(host);
          return Mono.just(List.of(InetAddress.ofLiteral("10.0.0.7")));
        };
    return new HubClient(WebClient.builder(), baseUrl, timeout, privateDns);
  }

  private HubLookup lookup(String repo, String token) {
    return client.lookup(HfSource.of(repo), token).block(BLOCK);
  }

  @Test
  void llama7bIsFoundWithTheIndexTotalAsWeightBytes() {
    hub.add(LLAMA_7B);

    HubLookup outcome = lookup(LLAMA_7B.repo(), null);

    assertThat(outcome)
        .isEqualTo(
            new HubLookup.Found(
                "meta-llama/Llama-2-7b-hf",
                "main",
                StandInHub.sha(LLAMA_7B.repo(), "main"),
                "LlamaForCausalLM",
                "llama",
                13_476_839_424L,
                6_738_419_712L));
    assertThat(hub.requests())
        .extracting(StandInHub.Request::uri)
        .containsExactly(
            "/api/models/meta-llama/Llama-2-7b-hf/revision/main?blobs=true",
            "/meta-llama/Llama-2-7b-hf/resolve/main/model.safetensors.index.json");
    assertThat(hub.requests()).allSatisfy(r -> assertThat(r.authorization()).isNull());
  }

  @Test
  void llama70bIsFoundAndNeedsFourEightyGigabyteGpus() {
    hub.add(LLAMA_70B);

    HubLookup outcome = lookup(LLAMA_70B.repo(), null);

    assertThat(outcome).isInstanceOf(HubLookup.Found.class);
    long weightBytes = ((HubLookup.Found) outcome).weightBytes();
    assertThat(weightBytes).isEqualTo(137_953_316_864L);
    assertThat(ModelFit.minGpus(weightBytes, ModelFit.gigabytes(80))).hasValue(4);
  }

  @Test
  void withoutAnIndexTheShardSizesAreSummed() {
    hub.addSafetensorsRepo(
        "mistralai/Mistral-7B-v0.1", "main", "MistralForCausalLM", 14_483_464_192L, 3, false);

    HubLookup outcome = lookup("mistralai/Mistral-7B-v0.1", null);

    // Each file is its share of the tensors plus a header: 14_483_464_192 + 3 × 16_576.
    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.Found.class,
            found -> {
              assertThat(found.weightBytes()).isEqualTo(14_483_464_192L + 3 * SHARD_HEADER_BYTES);
              assertThat(found.architecture()).isEqualTo("MistralForCausalLM");
              assertThat(found.modelType()).isEqualTo("mistral");
            });
    assertThat(hub.requests()).hasSize(1);
  }

  @Test
  void withNeitherIndexNorSizesTheParameterCountsTimesDtypeWidthsAreUsed() {
    Map<String, Long> parameters = new LinkedHashMap<>();
    parameters.put("BF16", 494_032_768L);
    parameters.put("F32", 1_000L);
    parameters.put("F8_E4M3", 10L);
    hub.addParametersOnlyRepo("Qwen/Qwen2.5-0.5B", "main", "Qwen2ForCausalLM", parameters);

    HubLookup outcome = lookup("Qwen/Qwen2.5-0.5B", null);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.Found.class,
            found -> {
              // 494_032_768 × 2 + 1_000 × 4 + 10 × 1
              assertThat(found.weightBytes()).isEqualTo(988_069_546L);
              assertThat(found.parameterCount()).isEqualTo(494_033_778L);
            });
  }

  @Test
  void consolidatedCopiesOfShardedWeightsAreNotCountedTwice() {
    hub.addRawRepo(
        "mistralai/Mistral-7B-Instruct-v0.3",
        "main",
        """
        {"sha":"e0bc86c23ce5aae1db576c8cca6f06f1f73af2db",
         "config":{"architectures":["MistralForCausalLM"],"model_type":"mistral"},
         "siblings":[
           {"rfilename":"consolidated.safetensors","size":14496078512},
           {"rfilename":"model-00001-of-00003.safetensors","size":4949453792},
           {"rfilename":"model-00002-of-00003.safetensors","size":4999819336},
           {"rfilename":"model-00003-of-00003.safetensors","size":4546807800}]}
        """);

    HubLookup outcome = lookup("mistralai/Mistral-7B-Instruct-v0.3", null);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.Found.class,
            found -> {
              assertThat(found.weightBytes())
                  .isEqualTo(4_949_453_792L + 4_999_819_336L + 4_546_807_800L);
              assertThat(found.parameterCount()).isNull();
            });
  }

  @Test
  void unknownRepoOrRevisionIsNotFound() {
    hub.add(LLAMA_7B);

    HubLookup noRepo = lookup("nobody/nothing", null);
    HubLookup noRevision = client.lookup(new HfSource(LLAMA_7B.repo(), "v9"), null).block(BLOCK);

    assertThat(noRepo)
        .isInstanceOfSatisfying(
            HubLookup.NotFound.class, nf -> assertThat(nf.reason()).contains("nobody/nothing"));
    assertThat(noRevision)
        .isInstanceOfSatisfying(
            HubLookup.NotFound.class,
            nf -> assertThat(nf.reason()).contains("revision 'v9' does not exist"));
  }

  @Test
  void gatedRepoWithoutTokenIsDeniedWithAHintAboutTheToken() {
    hub.addGatedRepo(LLAMA_7B.repo());

    HubLookup outcome = lookup(LLAMA_7B.repo(), null);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.Denied.class,
            denied ->
                assertThat(denied.reason())
                    .contains("is gated")
                    .contains("supply an hf_token")
                    .contains(hub.baseUrl() + "/" + LLAMA_7B.repo()));
  }

  @Test
  void gatedRepoWithTheTokenIsFoundAndTheTokenWasSentOnEveryRequest() {
    hub.addGatedRepo(LLAMA_7B.repo());

    HubLookup outcome = lookup(LLAMA_7B.repo(), StandInHub.GATED_TOKEN);

    assertThat(outcome).isInstanceOf(HubLookup.Found.class);
    assertThat(hub.requests())
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer hf_secret"));
  }

  @Test
  void gatedRepoWithoutIndexIsCheckedThroughItsConfig() {
    hub.addGatedRepo("org/gated-big");
    hub.addSafetensorsRepo("org/gated-big", "main", "LlamaForCausalLM", 1_000_000L, 1, false);

    HubLookup withoutToken = lookup("org/gated-big", null);

    assertThat(withoutToken).isInstanceOf(HubLookup.Denied.class);
    assertThat(hub.requests().getLast().uri()).isEqualTo("/org/gated-big/resolve/main/config.json");
  }

  @Test
  void wrongTokenIsDeniedAndNeverLoggedNorEchoed() {
    Logger logger = (Logger) LoggerFactory.getLogger(HubClient.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      hub.addGatedRepo(LLAMA_7B.repo());
      hub.add(LLAMA_70B).requireToken(LLAMA_70B.repo(), "hf_right");

      HubLookup gated = lookup(LLAMA_7B.repo(), "hf_wrongtoken123");
      HubLookup privateRepo = lookup(LLAMA_70B.repo(), "hf_wrongtoken123");

      assertThat(gated)
          .isInstanceOfSatisfying(
              HubLookup.Denied.class,
              d -> assertThat(d.reason()).contains("has not been granted access"));
      assertThat(privateRepo)
          .isInstanceOfSatisfying(
              HubLookup.Denied.class,
              d -> assertThat(d.reason()).contains("the token is invalid or has no access"));
      assertThat(gated.reason() + privateRepo.reason()).doesNotContain("hf_wrongtoken123");
      assertThat(logs.list).hasSize(2);
      assertThat(logs.list)
          .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("hf_wrongtoken123"));
    } finally {
      logger.detachAppender(logs);
    }
  }

  @Test
  void privateRepoIsDeniedWithoutTokenAndFoundWithIt() {
    hub.add(LLAMA_70B).requireToken(LLAMA_70B.repo(), "hf_private");

    HubLookup without = lookup(LLAMA_70B.repo(), null);
    HubLookup with = lookup(LLAMA_70B.repo(), "hf_private");

    assertThat(without)
        .isInstanceOfSatisfying(
            HubLookup.Denied.class,
            d -> assertThat(d.reason()).contains("requires authentication").contains("hf_token"));
    assertThat(with).isInstanceOf(HubLookup.Found.class);
  }

  @Test
  void aTokenThatCannotBeAHeaderIsDeniedWithoutAsking() {
    hub.add(LLAMA_7B);

    HubLookup outcome = lookup(LLAMA_7B.repo(), "hf_abc\r\nX-Evil: 1");

    assertThat(outcome).isInstanceOf(HubLookup.Denied.class);
    assertThat(outcome.reason()).doesNotContain("X-Evil");
    assertThat(hub.requests()).isEmpty();
  }

  @Test
  void binOnlyRepoHasNoWeights() {
    hub.addBinOnlyRepo("openai-community/gpt2");

    HubLookup outcome = lookup("openai-community/gpt2", null);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.NoWeights.class,
            nw -> assertThat(nw.reason()).contains("pytorch_model.bin").contains("safetensors"));
  }

  @Test
  void emptyRepoHasNoWeights() {
    hub.addRawRepo("org/empty", "main", "{\"sha\":\"abc\",\"siblings\":[]}");

    HubLookup outcome = lookup("org/empty", null);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.NoWeights.class, nw -> assertThat(nw.reason()).contains("no weight files"));
  }

  @Test
  void serverErrorIsUnreachable() {
    hub.add(LLAMA_7B).failWith(500);

    HubLookup outcome = lookup(LLAMA_7B.repo(), null);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.Unreachable.class, u -> assertThat(u.reason()).contains("HTTP 500"));
  }

  @Test
  void answerThatIsNotJsonIsUnreachable() {
    hub.addRawRepo("org/portal", "main", "<html>Please log in to the Wi-Fi</html>");

    HubLookup outcome = lookup("org/portal", null);

    assertThat(outcome).isInstanceOf(HubLookup.Unreachable.class);
  }

  @Test
  void refusedConnectionIsUnreachable() {
    URI closed = closedPort();

    HubLookup outcome = clientFor(closed, PATIENT).lookup(HfSource.of("a/b"), "hf_x").block(BLOCK);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.Unreachable.class,
            u -> assertThat(u.reason()).contains("could not reach the hub").doesNotContain("hf_x"));
  }

  @Test
  void slowHubIsUnreachableAfterTheTimeout() {
    // The hub never answers within the test: only the client's own 300 ms timeout can end the
    // lookup before block() gives up, so no stopwatch is needed to tell which one did.
    hub.add(LLAMA_7B).delay(Duration.ofHours(1));
    HubClient impatient = clientFor(hub.baseUrl(), Duration.ofMillis(300));

    HubLookup outcome = impatient.lookup(HfSource.of(LLAMA_7B.repo()), null).block(BLOCK);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.Unreachable.class, u -> assertThat(u.reason()).contains("300 ms"));
  }

  @Test
  void revisionWithSlashesIsSentAsOnePathSegment() {
    hub.addSafetensorsRepo("org/repo", "refs/pr/1", "LlamaForCausalLM", 2_000_000L, 1, true);

    HubLookup outcome = client.lookup(new HfSource("org/repo", "refs/pr/1"), null).block(BLOCK);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.Found.class,
            found -> {
              assertThat(found.revision()).isEqualTo("refs/pr/1");
              assertThat(found.weightBytes()).isEqualTo(2_000_000L);
            });
    assertThat(hub.requests().getFirst().uri())
        .isEqualTo("/api/models/org/repo/revision/refs%2Fpr%2F1?blobs=true");
  }

  @Test
  void renamedRepoIsFollowedWithTheTokenOnTheSameHost() {
    hub.addGatedRepo(LLAMA_7B.repo()).addRedirect("meta/llama-old", LLAMA_7B.repo());

    HubLookup outcome = lookup("meta/llama-old", StandInHub.GATED_TOKEN);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.Found.class,
            found -> assertThat(found.weightBytes()).isEqualTo(13_476_839_424L));
    assertThat(hub.requests()).hasSize(4);
    assertThat(hub.requests())
        .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer hf_secret"));
  }

  @Test
  void aRedirectToAnotherLocalServerIsNotFollowed() {
    try (StandInHub other = StandInHub.start()) {
      other.add(LLAMA_7B);
      hub.redirectTo(
          "meta/llama-old",
          other.baseUrl() + "/api/models/meta-llama/Llama-2-7b-hf/revision/main?blobs=true");

      HubLookup outcome = lookup("meta/llama-old", StandInHub.GATED_TOKEN);

      assertThat(outcome)
          .isInstanceOfSatisfying(
              HubLookup.Unreachable.class,
              u ->
                  assertThat(u.reason())
                      .startsWith("the hub at " + hub.baseUrl() + " redirected to a location")
                      .contains("only https is followed outside the hub itself"));
      assertThat(other.requests()).isEmpty();
    }
  }

  @Test
  void aRedirectToPlainHttpOrAnotherSchemeIsNotFollowed() {
    hub.redirectTo("org/old", "http://huggingface.co/api/models/org/new/revision/main");
    hub.redirectTo("org/file", "file:///etc/passwd");

    assertThat(lookup("org/old", null).reason()).contains("only https");
    assertThat(lookup("org/file", null).reason()).contains("only https");
    assertThat(resolved).isEmpty();
  }

  @Test
  void aRedirectToALinkLocalAddressIsNotFollowed() {
    hub.redirectTo("org/metadata", "https://169.254.169.254/latest/meta-data/");

    HubLookup outcome = lookup("org/metadata", null);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.Unreachable.class,
            u -> assertThat(u.reason()).contains("host '169.254.169.254'"));
    assertThat(resolved).isEmpty();
  }

  @Test
  void aRedirectToAHubDomainThatResolvesToAPrivateAddressIsNotFollowed() {
    hub.redirectTo("org/lfs", "https://cdn-lfs.hf.co/repos/ab/cd?sig=1");

    HubLookup outcome = lookup("org/lfs", null);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.Unreachable.class,
            u ->
                assertThat(u.reason())
                    .contains("cdn-lfs.hf.co")
                    .contains("private")
                    .doesNotContain("10.0.0.7"));
    assertThat(resolved).containsExactly("cdn-lfs.hf.co");
  }

  @Test
  void redirectsEndAfterFiveHops() {
    hub.add(LLAMA_7B).addRedirect("org/loop", "org/loop");

    HubLookup outcome = lookup("org/loop", null);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            HubLookup.Unreachable.class,
            u -> assertThat(u.reason()).contains("more than 5 redirects"));
    assertThat(hub.requests()).hasSize(6);
  }

  @Test
  void aRefusedConnectionIsSaidWithoutAnyExceptionText() {
    URI closed = closedPort();

    HubLookup outcome = clientFor(closed, PATIENT).lookup(HfSource.of("a/b"), "hf_x").block(BLOCK);

    assertThat(outcome.reason())
        .isEqualTo("could not reach the hub at " + closed + ": connection refused");
    // The operator still learns what the library said, and where.
    assertThat(logged())
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("hf://a/b@main failed: java.net.ConnectException")
                    .endsWith("requesting " + closed))
        .allSatisfy(m -> assertThat(m).doesNotContain("hf_x"));
  }

  @Test
  void credentialsInTheHubUrlAreNeverShownToTenantsNorLogged() {
    URI closed = closedPort();
    URI withCredentials =
        URI.create("http://mirror:s3cret@" + closed.getHost() + ":" + closed.getPort() + "/hf");

    HubLookup outcome =
        clientFor(withCredentials, PATIENT).lookup(HfSource.of("a/b"), null).block(BLOCK);

    assertThat(outcome.reason())
        .isEqualTo("could not reach the hub at " + closed + "/hf: connection refused");
    assertThat(logged()).isNotEmpty().allSatisfy(m -> assertThat(m).doesNotContain("s3cret"));
  }

  @Test
  void rejectsABadBaseUrlOrTimeout() {
    assertThatThrownBy(() -> clientFor(URI.create("ftp://hub"), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zeroscale.hub.url");
    assertThatThrownBy(() -> clientFor(hub.baseUrl(), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zeroscale.hub.timeout");
  }
}
