package io.zeroscale.gateway.web;

import io.zeroscale.gateway.settings.Checks;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long a client may take to send a request ({@code zeroscale.gateway.server.*}). Timed only
 * while the client is the one expected to send: never while a request is held for a cold deployment
 * or a busy slot, nor while a response streams, so a held request or a long SSE stream is never cut
 * (its body was read whole before it was held).
 *
 * @param requestHeadTimeout from the connection's start, or the end of its previous response, to a
 *     complete request line and headers: closes idle keep-alive connections and slow-header
 *     (slowloris) clients; 408 when part of a request head had arrived, a silent close when none
 * @param bodyIdleTimeout the longest silence while a request body is being received: 408
 * @param bodyTimeout the whole time a request body may take to arrive: 408. 300 s carries a 32 MiB
 *     upload at 1 Mbit/s (33 554 432 × 8 / 1 000 000 ≈ 268 s)
 */
@ConfigurationProperties("zeroscale.gateway.server")
public record ServerLimits(
    @DefaultValue("60s") Duration requestHeadTimeout,
    @DefaultValue("30s") Duration bodyIdleTimeout,
    @DefaultValue("300s") Duration bodyTimeout) {

  public ServerLimits {
    positive("request-head-timeout", requestHeadTimeout);
    positive("body-idle-timeout", bodyIdleTimeout);
    positive("body-timeout", bodyTimeout);
  }

  public static ServerLimits defaults() {
    return new ServerLimits(
        Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(300));
  }

  private static void positive(String name, Duration value) {
    Checks.positive("zeroscale.gateway.server." + name, value, "must be a positive duration");
  }
}
