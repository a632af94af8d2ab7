package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.zeroscale.gateway.observe.TraceContext;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamProxyTest {

  private static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void theInstanceNeverSeesTheKeyNorHopByHopHeaders() {
    HttpHeaders in = new DefaultHttpHeaders();
    in.add("Authorization", "Bearer zs-secret");
    in.add("Host", "gateway.example");
    in.add("Connection", "keep-alive, X-Private-Hop");
    in.add("X-Private-Hop", "1");
    in.add("Keep-Alive", "timeout=5");
    in.add("TE", "trailers");
    in.add("Transfer-Encoding", "chunked");
    in.add("Proxy-Authorization", "Basic xyz");
    in.add("Upgrade", "h2c");
    in.add("Expect", "100-continue");
    in.add("Content-Length", "999");
    in.add("Content-Type", "application/json");
    in.add("Accept", "text/event-stream");
    in.add("X-Custom", "kept");

    HttpHeaders out = UpstreamProxy.requestHeaders(in, 42, "req_1", null);

    assertThat(out.names())
        .map(String::toLowerCase)
        .containsExactlyInAnyOrder(
            "content-type", "accept", "x-custom", "traceparent", "x-request-id", "content-length");
    assertThat(out.get("Content-Length")).isEqualTo("42");
    assertThat(out.get("x-request-id")).isEqualTo("req_1");
    assertThat(out.get("X-Custom")).isEqualTo("kept");
  }

  @Test
  void aValidTraceparentGetsAChildAndKeepsItsState() {
    HttpHeaders in = new DefaultHttpHeaders();
    in.add("traceparent", PARENT);
    in.add("tracestate", "vendor=1");

    HttpHeaders out = UpstreamProxy.requestHeaders(in, 0, null, null);

    String child = out.get("traceparent");
    assertThat(TraceContext.parse(child)).isPresent();
    assertThat(child).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").isNotEqualTo(PARENT);
    assertThat(out.get("tracestate")).isEqualTo("vendor=1");
    assertThat(out.contains("x-request-id")).isFalse();
  }

  @Test
  void aTracedRequestsInstanceGetsTheGatewaysSpanAsParentAndTheClientsState() {
    HttpHeaders in = new DefaultHttpHeaders();
    in.add("traceparent", PARENT);
    in.add("tracestate", "vendor=1");
    String span = "00-4bf92f3577b34da6a3ce929d0e0e4736-1111222233334444-01";

    HttpHeaders out = UpstreamProxy.requestHeaders(in, 0, null, null, span);

    assertThat(out.getAll("traceparent")).containsExactly(span);
    assertThat(out.get("tracestate")).isEqualTo("vendor=1");
  }

  @Test
  void anInvalidTraceparentStartsANewTraceAndDropsItsState() {
    HttpHeaders in = new DefaultHttpHeaders();
    in.add("traceparent", "garbage");
    in.add("tracestate", "vendor=1");

    HttpHeaders out = UpstreamProxy.requestHeaders(in, 0, "r", null);

    assertThat(TraceContext.parse(out.get("traceparent"))).isPresent();
    assertThat(out.contains("tracestate")).isFalse();
  }

  @Test
  void springHeadersGiveTheSameResult() {
    org.springframework.http.HttpHeaders in = new org.springframework.http.HttpHeaders();
    in.add("Authorization", "Bearer k");
    in.add("Connection", "close");
    in.add("X-Custom", "a");
    in.add("X-Custom", "b");

    HttpHeaders out = UpstreamProxy.requestHeaders(in, 3, "r", null);

    assertThat(out.getAll("X-Custom")).containsExactly("a", "b");
    assertThat(out.contains("Authorization")).isFalse();
    assertThat(out.contains("Connection")).isFalse();
  }

  @Test
  void theInstanceGetsItsOwnEngineKeyAndNeverTheClients() {
    HttpHeaders in = new DefaultHttpHeaders();
    in.add("Authorization", "Bearer zs_client_key");
    in.add("authorization", "Bearer zs_second_client_key");

    HttpHeaders out = UpstreamProxy.requestHeaders(in, 3, "r", "zse_instance_key");

    assertThat(out.getAll("Authorization")).containsExactly("Bearer zse_instance_key");
    assertThat(out.toString()).doesNotContain("zs_client_key").doesNotContain("zs_second");

    org.springframework.http.HttpHeaders spring = new org.springframework.http.HttpHeaders();
    spring.add("Authorization", "Bearer zs_client_key");
    assertThat(UpstreamProxy.requestHeaders(spring, 3, "r", "zse_k").getAll("Authorization"))
        .containsExactly("Bearer zse_k");
  }

  @Test
  void anInstanceRefusingTheEngineKeyIsA502ForTheClientNotABadKey() {
    assertThat(UpstreamProxy.clientStatus(401)).isEqualTo(502);
    for (int kept : new int[] {200, 400, 403, 404, 429, 500, 503}) {
      assertThat(UpstreamProxy.clientStatus(kept)).isEqualTo(kept);
    }
    var error =
        UpstreamErrors.of(UpstreamProxy.clientStatus(401), UpstreamProxy.ENGINE_KEY_REFUSED);
    assertThat(error.body().toString())
        .contains("refused the gateway's credentials")
        .contains("instance_auth_failed")
        .doesNotContainIgnoringCase("api key");
  }

  @Test
  void anInstanceWithoutAKeyGetsNoAuthorization() {
    HttpHeaders in = new DefaultHttpHeaders();
    in.add("Authorization", "Bearer zs_client_key");

    assertThat(UpstreamProxy.requestHeaders(in, 3, "r", null).contains("Authorization")).isFalse();
  }

  @Test
  void hopByHopNamesAreMatchedWhateverTheirCase() {
    for (String name :
        List.of(
            "connection",
            "KEEP-ALIVE",
            "Te",
            "trailer",
            "Transfer-Encoding",
            "upgrade",
            "Proxy-Connection",
            "proxy-authenticate",
            "Proxy-Authorization")) {
      assertThat(UpstreamProxy.isHopByHop(name, List.of())).as(name).isTrue();
    }
    assertThat(UpstreamProxy.isHopByHop("content-type", List.of())).isFalse();
    assertThat(UpstreamProxy.isHopByHop("tea", List.of())).isFalse();
    assertThat(UpstreamProxy.isHopByHop("x-hop", List.of("X-Hop"))).isTrue();
  }

  @Test
  void upstreamSettingsAreValidated() {
    assertThat(UpstreamProperties.defaults().maxConnections()).isEqualTo(4096);
    assertThatThrownBy(() -> new UpstreamProperties(Duration.ZERO, 1, Duration.ofSeconds(1)))
        .hasMessageContaining("connect-timeout");
    assertThatThrownBy(
            () -> new UpstreamProperties(Duration.ofSeconds(1), 0, Duration.ofSeconds(1)))
        .hasMessageContaining("max-connections");
    assertThatThrownBy(
            () -> new UpstreamProperties(Duration.ofSeconds(1), 1, Duration.ofMillis(-1)))
        .hasMessageContaining("max-idle-time");
  }

  @Test
  void theClientNeverGetsAnInstanceHeaderThatActsOnTheConsolesOrigin() {
    HttpHeaders in = new DefaultHttpHeaders();
    in.add("Content-Type", "application/json");
    in.add("X-Engine", "vllm");
    in.add("Set-Cookie", "zs_console=evil; Path=/");
    in.add("set-cookie", "second=1");
    in.add("Clear-Site-Data", "\"storage\"");
    in.add("CONTENT-SECURITY-POLICY", "default-src *");
    in.add("Content-Security-Policy-Report-Only", "default-src *");
    in.add("Refresh", "0; url=https://evil.example/");
    in.add("Service-Worker-Allowed", "/");
    in.add("Strict-Transport-Security", "max-age=0");
    in.add("Alt-Svc", "h2=\"evil.example:443\"");
    in.add("Connection", "close");
    org.springframework.http.HttpHeaders out = new org.springframework.http.HttpHeaders();

    UpstreamProxy.copyResponseHeaders(in, out);

    assertThat(out.headerNames()).containsExactlyInAnyOrder("Content-Type", "X-Engine");
    assertThat(UpstreamProxy.isDeniedFromInstance("sEt-CoOkIe")).isTrue();
    assertThat(UpstreamProxy.isDeniedFromInstance("set-cookies")).isFalse();
    assertThat(UpstreamProxy.isDeniedFromInstance("x-request-id")).isFalse();
  }
}
