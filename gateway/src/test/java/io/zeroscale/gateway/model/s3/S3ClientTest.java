package io.zeroscale.gateway.model.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.zeroscale.api.redis.S3Access;
import io.zeroscale.gateway.model.ImportOutcome;
import io.zeroscale.gateway.model.ModelStatus;
import io.zeroscale.gateway.model.hub.HostResolver;
import io.zeroscale.gateway.model.hub.HubLookup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * {@link S3Client} against the S3-compatible stand-in ({@link S3StandIn}, S3Proxy over a filesystem
 * blob store, SigV4 required): size from the index, else from the listing; the error mapping (403,
 * 404, no weights, unreachable, a private endpoint not allowed); the listing's parser and its
 * bounds.
 */
class S3ClientTest {

  private static final long GIB = 1L << 30;
  @TempDir static Path dir;
  private static S3StandIn s3;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3StandIn.start(dir);
    s3.model(
        "models",
        "llama/7b",
        "LlamaForCausalLM",
        "llama",
        List.of(9_976_576_152L, 3_500_296_424L),
        13_476_839_424L);
    s3.model("models", "mistral", "MistralForCausalLM", "mistral", List.of(5 * GIB, 4 * GIB), null);
    // Neither a nested copy nor a non-safetensors file counts.
    s3.putSized("models", "mistral/consolidated/consolidated.safetensors", 9 * GIB);
    s3.putSized("models", "mistral/pytorch_model.bin", 9 * GIB);
    s3.put("models", "bin-only/config.json", "{\"architectures\":[\"GPT2LMHeadModel\"]}");
    s3.putSized("models", "bin-only/pytorch_model.bin", GIB);
    s3.put("models", "broken/config.json", "not json");
  }

  @AfterAll
  static void stop() {
    if (s3 != null) {
      s3.close();
    }
  }

  private static S3Client client(Set<String> privateHosts, Duration timeout) {
    return new S3Client(
        WebClient.builder(),
        timeout,
        HostResolver.system(),
        privateHosts,
        "us-east-1",
        Clock.systemUTC());
  }

  private static S3Client client() {
    return client(Set.of("127.0.0.1"), Duration.ofSeconds(20));
  }

  private static S3Access access(String endpoint) {
    return new S3Access(endpoint, null, S3StandIn.ACCESS_KEY_ID, S3StandIn.SECRET_ACCESS_KEY, null);
  }

  private static HubLookup lookup(S3Client client, String source, S3Access access) {
    return client.lookup(S3Source.parse(source), access).block(Duration.ofSeconds(60));
  }

  @Test
  void sizeFromTheIndexWithArchitectureFromTheConfig() {
    HubLookup l = lookup(client(), "s3://models/llama/7b", access(s3.endpoint()));
    assertThat(l).isInstanceOf(HubLookup.Found.class);
    HubLookup.Found f = (HubLookup.Found) l;
    assertThat(f.weightBytes()).isEqualTo(13_476_839_424L);
    assertThat(f.architecture()).isEqualTo("LlamaForCausalLM");
    assertThat(f.modelType()).isEqualTo("llama");
    assertThat(f.repo()).isEqualTo("s3://models/llama/7b");
  }

  @Test
  void withoutAnIndexTheSafetensorsDirectlyUnderThePrefixAreSummed() {
    HubLookup l = lookup(client(), "s3://models/mistral", access(s3.endpoint()));
    assertThat(l).isInstanceOf(HubLookup.Found.class);
    assertThat(((HubLookup.Found) l).weightBytes()).isEqualTo(9 * GIB);
    assertThat(((HubLookup.Found) l).architecture()).isEqualTo("MistralForCausalLM");
  }

  @Test
  void noSafetensorsIsNoWeights() {
    HubLookup l = lookup(client(), "s3://models/bin-only", access(s3.endpoint()));
    assertThat(l).isInstanceOf(HubLookup.NoWeights.class);
    assertThat(l.reason()).contains("s3://models/bin-only").contains("safetensors");
  }

  @Test
  void wrongOrNoCredentialsAreDeniedAndTheSecretIsNeverInTheReason() {
    // Letters only: a secret that could pass for an S3 error code if it were ever echoed.
    S3Access wrong =
        new S3Access(s3.endpoint(), null, S3StandIn.ACCESS_KEY_ID, "WrongSecretValue", null);
    HubLookup denied = lookup(client(), "s3://models/llama/7b", wrong);
    assertThat(denied).isInstanceOf(HubLookup.Denied.class);
    assertThat(denied.reason())
        .isEqualTo(
            "the S3 store refused the s3_credentials given for s3://models/llama/7b (HTTP 403,"
                + " SignatureDoesNotMatch): they are invalid or have no read access to it");
    HubLookup anonymous =
        lookup(
            client(), "s3://models/llama/7b", new S3Access(s3.endpoint(), null, null, null, null));
    assertThat(anonymous).isInstanceOf(HubLookup.Denied.class);
    assertThat(anonymous.reason()).contains("anonymous").contains("s3_credentials");
  }

  @Test
  void aMissingPrefixOrBucketIsNotFound() {
    HubLookup prefix = lookup(client(), "s3://models/nothing/here", access(s3.endpoint()));
    assertThat(prefix).isInstanceOf(HubLookup.NotFound.class);
    assertThat(prefix.reason()).contains("config.json").contains("s3://models/nothing/here");
    HubLookup bucket = lookup(client(), "s3://no-such-bucket/x", access(s3.endpoint()));
    assertThat(bucket).isInstanceOf(HubLookup.NotFound.class);
  }

  @Test
  void aConfigThatIsNotJsonLeavesItUnverified() {
    HubLookup l = lookup(client(), "s3://models/broken", access(s3.endpoint()));
    assertThat(l).isInstanceOf(HubLookup.Unreachable.class);
    assertThat(l.reason()).contains("config.json");
  }

  @Test
  void anUnreachableStoreIsUnreachable() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    HubLookup l = lookup(client(), "s3://models/llama/7b", access("http://127.0.0.1:" + closed));
    assertThat(l).isInstanceOf(HubLookup.Unreachable.class);
    assertThat(l.reason()).isEqualTo("cannot reach the endpoint http://127.0.0.1:" + closed);
  }

  @Test
  void everyConnectionFailureOfATenantEndpointHasTheSameReason() throws Exception {
    // Refused, a TLS error (https to the plain-http stand-in) and no answer at all: what tells
    // them apart would tell a tenant which internal ports are open. Only the log has the cause.
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    String refusedAt = "http://127.0.0.1:" + closed;
    String tlsAt = s3.endpoint().replace("http://", "https://");
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String silentAt = "https://127.0.0.1:" + silent.getLocalPort();
      S3Client client = client(Set.of("127.0.0.1"), Duration.ofSeconds(2));
      for (String endpoint : List.of(refusedAt, tlsAt, silentAt)) {
        HubLookup l = lookup(client, "s3://models/llama/7b", access(endpoint));
        assertThat(l).as(endpoint).isInstanceOf(HubLookup.Unreachable.class);
        assertThat(l.reason()).as(endpoint).isEqualTo("cannot reach the endpoint " + endpoint);
      }
    }
  }

  @Test
  void anAnswerTooLargeIsSaidSoItCameFromTheEndpointItself() throws Exception {
    HttpServer big =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] body = new byte[S3Client.MAX_BODY_BYTES + 1];
    big.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, body.length);
          try (var out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    big.start();
    try {
      String endpoint = "http://127.0.0.1:" + big.getAddress().getPort();
      HubLookup l = lookup(client(), "s3://models/llama/7b", access(endpoint));
      assertThat(l).isInstanceOf(HubLookup.Unreachable.class);
      assertThat(l.reason()).contains("answer too large");
    } finally {
      big.stop(0);
    }
  }

  @Test
  void aTenantEndpointWhoseHostDoesNotResolveFailsTheImport() {
    S3Client unknown =
        new S3Client(
            WebClient.builder(),
            Duration.ofSeconds(5),
            host -> Mono.error(new UnknownHostException(host + ": Name or service not known")),
            Set.of(),
            "us-east-1",
            Clock.systemUTC());
    HubLookup l = lookup(unknown, "s3://models/x", access("https://store.internal.example:9000"));
    assertThat(l).isInstanceOf(HubLookup.NotFound.class);
    assertThat(l.reason())
        .isEqualTo(
            "the endpoint's host 'store.internal.example' does not resolve; give an endpoint whose"
                + " host resolves to a public address");
    assertThat(ImportOutcome.ofS3(l).status()).isEqualTo(ModelStatus.FAILED);

    // Nor when the resolver never answers: the import fails, it is not left unverified.
    S3Client silent =
        new S3Client(
            WebClient.builder(),
            Duration.ofMillis(300),
            host -> Mono.never(),
            Set.of("store.internal.example"),
            "us-east-1",
            Clock.systemUTC());
    HubLookup slow = lookup(silent, "s3://models/x", access("http://store.internal.example"));
    assertThat(slow).isInstanceOf(HubLookup.NotFound.class);
    assertThat(slow.reason()).contains("did not resolve within 300 ms");
    assertThat(ImportOutcome.ofS3(slow).status()).isEqualTo(ModelStatus.FAILED);
  }

  @Test
  void theLogLineRedactsEveryPartOfTheCredentials() {
    S3Access temporary =
        new S3Access(
            "https://store.example.com",
            null,
            "AKIATEMPORARYKEYID",
            S3StandIn.SECRET_ACCESS_KEY,
            "SessionTokenOfTheTenant");
    String line =
        S3Client.forLog(
            new IOException(
                "failed with AKIATEMPORARYKEYID / "
                    + S3StandIn.SECRET_ACCESS_KEY
                    + " / SessionTokenOfTheTenant"),
            temporary);
    assertThat(line)
        .contains("failed with")
        .doesNotContain("AKIATEMPORARYKEYID")
        .doesNotContain(S3StandIn.SECRET_ACCESS_KEY)
        .doesNotContain("SessionTokenOfTheTenant");
  }

  @Test
  void aStoreThatNeverAnswersIsUnreachableWithinTheTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      HubLookup l =
          lookup(
              client(Set.of("127.0.0.1"), Duration.ofMillis(300)),
              "s3://models/llama/7b",
              access("http://127.0.0.1:" + silent.getLocalPort()));
      // Past the address check a timeout leaves the model unverified, with the one reason.
      assertThat(l).isInstanceOf(HubLookup.Unreachable.class);
      assertThat(l.reason())
          .isEqualTo("cannot reach the endpoint http://127.0.0.1:" + silent.getLocalPort());
    }
  }

  @Test
  void aPrivateEndpointIsRefusedUnlessTheOperatorAllowsItsHost() throws Exception {
    // A name that resolves to a loopback address: the reason names the host, never the address.
    String byName = s3.endpoint().replace("127.0.0.1", "localhost");
    HubLookup l =
        lookup(client(Set.of(), Duration.ofSeconds(20)), "s3://models/llama/7b", access(byName));
    assertThat(l).isInstanceOf(HubLookup.Denied.class);
    assertThat(l.reason()).contains("'localhost'").contains("zeroscale.s3.private-hosts");
    for (InetAddress resolved : InetAddress.getAllByName("localhost")) {
      assertThat(l.reason()).doesNotContain(resolved.getHostAddress());
    }
    assertThat(ImportOutcome.ofS3(l).status()).isEqualTo(ModelStatus.FAILED);

    // Cloud metadata, by a name that resolves there: refused before any request.
    S3Client metadata =
        new S3Client(
            WebClient.builder(),
            Duration.ofSeconds(5),
            host -> Mono.fromCallable(() -> List.of(InetAddress.getByName("169.254.169.254"))),
            Set.of(),
            "us-east-1",
            Clock.systemUTC());
    assertThat(lookup(metadata, "s3://models/x", access("http://store.example.com")))
        .isInstanceOf(HubLookup.Denied.class);
  }

  @Test
  void theListingParserSumsOnlyDirectSafetensorsAndFollowsTruncation() {
    String page =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + "<IsTruncated>true</IsTruncated><NextContinuationToken>tok+1</NextContinuationToken>"
            + "<Contents><Key>p/a.safetensors</Key><Size>10</Size></Contents>"
            + "<Contents><Key>p/b.safetensors</Key><Size>32</Size></Contents>"
            + "<Contents><Key>p/sub/c.safetensors</Key><Size>1000</Size></Contents>"
            + "<Contents><Key>p/d.bin</Key><Size>1000</Size></Contents>"
            + "</ListBucketResult>";
    S3Client.Listing l = S3Client.Listing.parse(page, "p/");
    assertThat(l.safetensorsBytes()).isEqualTo(42);
    assertThat(l.nextToken()).isEqualTo("tok+1");
    String last =
        "<ListBucketResult><IsTruncated>false</IsTruncated>"
            + "<Contents><Key>p/a.safetensors</Key><Size>7</Size></Contents></ListBucketResult>";
    assertThat(S3Client.Listing.parse(last, "p/").nextToken()).isNull();
  }

  @Test
  void theListingParserRefusesDtdsAndWhatIsNotAListing() {
    String xxe =
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
            + "<ListBucketResult><Contents><Key>p/&e;.safetensors</Key><Size>1</Size></Contents>"
            + "</ListBucketResult>";
    assertThatThrownBy(() -> S3Client.Listing.parse(xxe, "p/"))
        .hasMessageContaining("does not parse")
        .hasMessageNotContaining("root:");
    assertThatThrownBy(() -> S3Client.Listing.parse("<Error><Code>X</Code></Error>", "p/"))
        .hasMessageContaining("not a listing");
    assertThatThrownBy(
            () ->
                S3Client.Listing.parse(
                    "<ListBucketResult><Contents><Key>p/a.safetensors</Key><Size>1e9</Size>"
                        + "</Contents></ListBucketResult>",
                    "p/"))
        .hasMessageContaining("does not parse");
  }

  @Test
  void theBoundsAreWhatTheDocsSay() {
    assertThat(S3Client.MAX_PAGES * S3Client.PAGE_KEYS).isEqualTo(10_000);
    assertThat(S3Client.MAX_BODY_BYTES).isEqualTo(32 * 1024 * 1024);
  }
}
