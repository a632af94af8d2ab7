package io.zeroscale.gateway.model.hub;

import java.net.InetAddress;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Resolves a host name to its addresses, so that the hub client can check where a redirect leads
 * before following it ({@link RedirectPolicy}). A port: tests make any name resolve anywhere.
 */
@FunctionalInterface
public interface HostResolver {

  /** All addresses of {@code host}; errors with {@link java.net.UnknownHostException} if none. */
  Mono<List<InetAddress>> resolve(String host);

  /**
   * The JVM's resolver (the system's, with its cache), on the bounded elastic scheduler: {@link
   * InetAddress#getAllByName} blocks, and must not on an event loop. The lookup's own timeout
   * bounds how long a caller waits for it.
   */
  static HostResolver system() {
    return host ->
        Mono.fromCallable(() -> List.of(InetAddress.getAllByName(host)))
            .subscribeOn(Schedulers.boundedElastic());
  }
}
