package io.zeroscale.gateway.model.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.redis.S3Access;
import io.zeroscale.gateway.model.hub.HostResolver;
import io.zeroscale.gateway.model.hub.HubLookup;
import java.net.InetAddress;
import java.net.ServerSocket;
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
    S3Access wrong =
        new S3Access(s3.endpoint(), null, S3StandIn.ACCESS_KEY_ID, "WrongSecretValue123", null);
    HubLookup denied = lookup(client(), "s3://models/llama/7b", wrong);
    assertThat(denied).isInstanceOf(HubLookup.Denied.class);
    assertThat(denied.reason()).contains("403").doesNotContain("WrongSecretValue123");
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
    assertThat(l.reason()).contains("127.0.0.1:" + closed);
  }

  @Test
  void aStoreThatNeverAnswersIsUnreachableWithinTheTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      HubLookup l =
          lookup(
              client(Set.of("127.0.0.1"), Duration.ofMillis(300)),
              "s3://models/llama/7b",
              access("http://127.0.0.1:" + silent.getLocalPort()));
      assertThat(l).isInstanceOf(HubLookup.Unreachable.class);
      assertThat(l.reason()).contains("did not answer within 300 ms");
    }
  }

  @Test
  void aPrivateEndpointIsRefusedUnlessTheOperatorAllowsItsHost() {
    HubLookup l =
        lookup(
            client(Set.of(), Duration.ofSeconds(20)),
            "s3://models/llama/7b",
            access(s3.endpoint()));
    assertThat(l).isInstanceOf(HubLookup.Denied.class);
    assertThat(l.reason()).contains("zeroscale.s3.private-hosts").doesNotContain("127.0.0.1:");
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
