package io.zeroscale.gateway.routing;

import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * One HTTP client, with its own pool of instance connections, per event loop of the gateway's
 * server.
 *
 * <p>Reactor Netty's shared pool hands out whichever idle connection comes first, so a request read
 * on one event loop was often sent on a connection of another, and its answer came back on that
 * one: two thread hand-offs (a queued task and an {@code eventfd} wake-up each) per request. With a
 * pool per loop, the client's connection, the instance's connection and every callback of the
 * exchange stay on one thread, as nginx keeps a worker's upstream connections to itself.
 *
 * @see UpstreamProperties
 */
final class UpstreamClients {

  private final UpstreamProperties properties;
  private final Map<EventLoop, HttpClient> byLoop = new ConcurrentHashMap<>();
  private final AtomicInteger pools = new AtomicInteger();
  private volatile HttpClient shared;

  UpstreamClients(UpstreamProperties properties) {
    this.properties = properties;
  }

  /** The client whose connections live on {@code loop}; a shared one when there is none. */
  HttpClient on(EventLoop loop) {
    if (loop == null) {
      HttpClient s = shared;
      if (s == null) {
        s = create(null);
        shared = s;
      }
      return s;
    }
    HttpClient client = byLoop.get(loop);
    return client != null ? client : byLoop.computeIfAbsent(loop, this::create);
  }

  private HttpClient create(EventLoop loop) {
    ConnectionProvider pool =
        ConnectionProvider.builder("zeroscale-upstream-" + pools.incrementAndGet())
            .maxConnections(properties.maxConnections())
            .pendingAcquireMaxCount(-1)
            .maxIdleTime(properties.maxIdleTime())
            .build();
    HttpClient client =
        HttpClient.create(pool)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
            .keepAlive(true);
    return loop == null ? client : client.runOn(loop);
  }

  /** Closes every pool (at shutdown). */
  void dispose() {
    Duration quiet = Duration.ofSeconds(1);
    byLoop
        .values()
        .forEach(c -> c.configuration().connectionProvider().disposeLater().block(quiet));
    HttpClient s = shared;
    if (s != null) {
      s.configuration().connectionProvider().disposeLater().block(quiet);
    }
  }
}
