package io.zeroscale.gateway.model.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RedirectPolicyTest {

  private static final URI HF = URI.create("https://huggingface.co");
  private static final URI FROM =
      URI.create("https://huggingface.co/org/repo/resolve/main/model.safetensors.index.json");

  private final RedirectPolicy policy = new RedirectPolicy(HF);

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          /api/models/new/name/revision/main?blobs=true | https://huggingface.co/api/models/new/name/revision/main?blobs=true | true
          https://huggingface.co/new/name               | https://huggingface.co/new/name                                     | true
          https://HuggingFace.co:443/new/name           | https://HuggingFace.co:443/new/name                                 | true
          https://www.huggingface.co/x                  | https://www.huggingface.co/x                                        | false
          https://cdn-lfs.hf.co/repos/ab/cd?sig=1       | https://cdn-lfs.hf.co/repos/ab/cd?sig=1                             | false
          https://cas-bridge.xethub.hf.co/xet/1         | https://cas-bridge.xethub.hf.co/xet/1                               | false
          https://hf.co/org/repo                        | https://hf.co/org/repo                                              | false
          """)
  void followsHttpsOnTheHubsOwnDomainsAndRelativeLocations(
      String location, String target, boolean toHub) {
    RedirectPolicy.Decision decision = policy.check(FROM, location);

    assertThat(decision).isEqualTo(new RedirectPolicy.Decision.Follow(URI.create(target), toHub));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          http://huggingface.co/org/repo           | only https
          http://cdn-lfs.hf.co/x                   | only https
          file:///etc/passwd                       | only https
          ftp://huggingface.co/x                   | only https
          gopher://hf.co/x                         | only https
          https://evil.example/x                   | host 'evil.example'
          https://huggingface.co.evil.example/x    | host 'huggingface.co.evil.example'
          https://evilhf.co/x                      | host 'evilhf.co'
          https://10.0.0.1/x                       | host '10.0.0.1'
          https://169.254.169.254/latest/meta-data | host '169.254.169.254'
          https://[::1]/x                          | host '[::1]'
          https://huggingface.co:8443/x            | port 8443
          https://user:pw@huggingface.co/x         | user information
          https://huggingface.co/a b               | not a valid URL
          ''                                       | not a valid URL
          """)
  void refusesOtherSchemesHostsAndPorts(String location, String why) {
    RedirectPolicy.Decision decision = policy.check(FROM, location);

    assertThat(decision)
        .isInstanceOfSatisfying(
            RedirectPolicy.Decision.Refuse.class,
            r -> assertThat(r.reason()).contains(why).doesNotContain("pw"));
  }

  @Test
  void aLocalHubFollowsItselfOverHttpButNoOtherLocalServer() {
    RedirectPolicy local = new RedirectPolicy(URI.create("http://127.0.0.1:4000"));
    URI from = URI.create("http://127.0.0.1:4000/api/models/a/b/revision/main?blobs=true");

    assertThat(local.check(from, "/api/models/c/d/revision/main?blobs=true"))
        .isEqualTo(
            new RedirectPolicy.Decision.Follow(
                URI.create("http://127.0.0.1:4000/api/models/c/d/revision/main?blobs=true"), true));
    assertThat(local.check(from, "http://127.0.0.1:4001/x"))
        .isInstanceOf(RedirectPolicy.Decision.Refuse.class);
    assertThat(local.check(from, "http://localhost:4000/x"))
        .isInstanceOf(RedirectPolicy.Decision.Refuse.class);
    assertThat(local.check(from, "https://127.0.0.1:4000/x"))
        .isInstanceOf(RedirectPolicy.Decision.Refuse.class);
  }

  @Test
  void aLongLocationIsRefusedWithoutEchoingIt() {
    String location = "https://evil.example/" + "x".repeat(10_000);

    RedirectPolicy.Decision decision = policy.check(FROM, location);

    assertThat(decision)
        .isInstanceOfSatisfying(
            RedirectPolicy.Decision.Refuse.class, r -> assertThat(r.reason()).hasSizeLessThan(200));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.1.2.3",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",
        // NAT64 and 6to4 lead to IPv4 addresses a gateway picks: never public, whatever they embed.
        "64:ff9b::a9fe:a9fe",
        "64:ff9b::808:808",
        "64:ff9b:1::a00:1",
        "2002:a9fe:a9fe::1",
        "2002:808:808::1"
      })
  void privateLoopbackAndLinkLocalAddressesAreNotPublic(String address) {
    assertThat(RedirectPolicy.isPublic(InetAddress.ofLiteral(address))).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "8.8.8.8",
        "18.239.50.1",
        "172.32.0.1",
        "100.128.0.1",
        "2606:4700::1",
        "2001:4860:4860::8888"
      })
  void otherAddressesArePublic(String address) {
    assertThat(RedirectPolicy.isPublic(InetAddress.ofLiteral(address))).isTrue();
  }

  @Test
  void aHostResolvingToAnyPrivateAddressIsRefused() {
    List<InetAddress> mixed =
        List.of(InetAddress.ofLiteral("18.239.50.1"), InetAddress.ofLiteral("10.0.0.7"));

    assertThat(RedirectPolicy.addressProblem("cdn-lfs.hf.co", mixed))
        .hasValueSatisfying(
            p ->
                assertThat(p).contains("cdn-lfs.hf.co").contains("private").doesNotContain("10.0"));
    assertThat(RedirectPolicy.addressProblem("cdn-lfs.hf.co", List.of(mixed.getFirst()))).isEmpty();
    assertThat(RedirectPolicy.addressProblem("cdn-lfs.hf.co", List.of())).isPresent();
  }

  @Test
  void theHubItselfIsNeverCheckedForItsAddress() {
    RedirectPolicy local = new RedirectPolicy(URI.create("http://127.0.0.1:4000"));

    assertThat(local.needsAddressCheck(URI.create("http://127.0.0.1:4000/x"))).isFalse();
    assertThat(policy.needsAddressCheck(URI.create("https://huggingface.co/x"))).isFalse();
    assertThat(policy.needsAddressCheck(URI.create("https://cdn-lfs.hf.co/x"))).isTrue();
  }
}
