package io.zeroscale.gateway.model.hub;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;

/**
 * The HTTP client of a model lookup, the hub's ({@link HubClient}) and S3's alike: its connector
 * never follows a redirect, since a lookup checks where one leads before it follows it (or refuses
 * it), and it buffers bodies up to {@link #MAX_BODY_BYTES}.
 */
public final class LookupWebClient {

  /**
   * WebFlux buffers at most 256 KiB by default; an index of a model with thousands of tensors is a
   * few MiB (about 9 MB for DeepSeek-V3's 91k entries), a config kilobytes. 32 MiB leaves room and
   * bounds the memory.
   */
  public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

  private LookupWebClient() {}

  /** A client built from a clone of {@code builder}, which is not changed. */
  public static WebClient of(WebClient.Builder builder) {
    return builder
        .clone()
        .clientConnector(new ReactorClientHttpConnector(HttpClient.create().followRedirect(false)))
        .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(MAX_BODY_BYTES))
        .build();
  }
}
