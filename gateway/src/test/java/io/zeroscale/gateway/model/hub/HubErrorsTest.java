package io.zeroscale.gateway.model.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.WebClientRequestException;

class HubErrorsTest {

  /** How WebClient wraps a connection failure: the cause is what tells what happened. */
  private static Throwable wrapped(Throwable cause) {
    return new WebClientRequestException(
        cause,
        HttpMethod.GET,
        URI.create("https://huggingface.co/api/models/a/b"),
        new HttpHeaders());
  }

  @Test
  void refusedConnectionsAreSaidInProductWords() {
    // The text of a refused connection with Netty's native transport.
    Throwable e = wrapped(new ConnectException("finishConnect(..) failed with error(-111)"));

    assertThat(HubErrors.describe(e)).isEqualTo("connection refused");
  }

  @Test
  void eachKindOfFailureHasItsOwnWords() {
    assertThat(HubErrors.describe(wrapped(new UnknownHostException("hub.internal"))))
        .isEqualTo("name not resolved");
    assertThat(HubErrors.describe(wrapped(new ConnectTimeoutException("connection timed out"))))
        .isEqualTo("connection timed out");
    assertThat(HubErrors.describe(wrapped(new NoRouteToHostException("No route to host"))))
        .isEqualTo("no route to host");
    assertThat(HubErrors.describe(wrapped(new SSLHandshakeException("PKIX path building failed"))))
        .isEqualTo("TLS error");
    assertThat(HubErrors.describe(ReadTimeoutException.INSTANCE)).isEqualTo("timed out");
    assertThat(HubErrors.describe(new TimeoutException("Did not observe any item")))
        .isEqualTo("timed out");
    assertThat(HubErrors.describe(new DataBufferLimitException("Exceeded limit on max bytes")))
        .isEqualTo("answer too large");
    assertThat(HubErrors.describe(wrapped(new IOException("Connection reset by peer"))))
        .isEqualTo("network error");
    assertThat(HubErrors.describe(new IllegalStateException("boom"))).isEqualTo("unexpected error");
  }

  @Test
  void aCauseChainThatLoopsEnds() {
    IOException a = new IOException("a");
    IOException b = new IOException("b", a);
    a.initCause(b);

    assertThat(HubErrors.describe(a)).isEqualTo("network error");
  }

  @Test
  void theLogLineIsOneBoundedLineWithoutTheToken() {
    Throwable e =
        wrapped(new ConnectException("refused\nwhile sending Bearer hf_secret " + "x".repeat(500)));

    String line = HubErrors.forLog(e, "hf_secret");

    assertThat(line).doesNotContain("hf_secret").doesNotContain("\n").hasSizeLessThanOrEqualTo(300);
    assertThat(line)
        .startsWith("java.net.ConnectException: refused while sending Bearer <redacted>");
  }

  @Test
  void theLogLineLeadsWithTheRootCauseAndNamesTheWrappers() {
    Throwable e = wrapped(new ConnectException("Connection refused"));

    assertThat(HubErrors.forLog(e, (String) null))
        .isEqualTo(
            "java.net.ConnectException: Connection refused (in"
                + " org.springframework.web.reactive.function.client.WebClientRequestException)"
                + " requesting https://huggingface.co");
  }
}
