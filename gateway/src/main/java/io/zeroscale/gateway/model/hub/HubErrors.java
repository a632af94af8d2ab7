package io.zeroscale.gateway.model.hub;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.TimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.netty.http.client.PrematureCloseException;

/**
 * A failed hub request in two forms: a few product words for the tenant ({@link #describe}), and
 * the library's own text for the log ({@link #forLog}). Tenants see what happened ("connection
 * refused"), never a class name, a library's message or a stack fragment: {@code
 * AnnotatedConnectException: finishConnect(..) failed with error(-111)} says nothing to them and
 * tells an attacker which stack the gateway runs.
 */
public final class HubErrors {

  /** A cause chain this deep is a bug or a trick; what was seen so far decides. */
  private static final int MAX_DEPTH = 32;

  /** One log line of this much is the whole story; Netty's longest are ~200 characters. */
  private static final int MAX_LOG_CHARS = 300;

  /** What {@link #describe} says of an answer past the client's buffer: not a network failure. */
  public static final String TOO_LARGE = "answer too large";

  private HubErrors() {}

  /**
   * The first cause that names a known failure, in product words: {@code name not resolved}, {@code
   * connection refused}, {@code connection timed out}, {@code no route to host}, {@code TLS error},
   * {@code timed out}, {@code connection closed early}, {@code answer too large}, else {@code
   * network error} for any other I/O failure and {@code unexpected error} for the rest.
   */
  public static String describe(Throwable error) {
    boolean io = false;
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable e = error;
        e != null && seen.size() < MAX_DEPTH && seen.put(e, true) == null;
        e = e.getCause()) {
      String words = words(e);
      if (words != null) {
        return words;
      }
      io |= e instanceof IOException;
    }
    return io ? "network error" : "unexpected error";
  }

  private static String words(Throwable e) {
    return switch (e) {
      case UnknownHostException u -> "name not resolved";
      // Before ConnectException, which it extends.
      case ConnectTimeoutException t -> "connection timed out";
      case ConnectException c -> "connection refused";
      case NoRouteToHostException n -> "no route to host";
      case SSLException s -> "TLS error";
      case TimeoutException t -> "timed out";
      case java.util.concurrent.TimeoutException t -> "timed out";
      case PrematureCloseException p -> "connection closed early";
      case DataBufferLimitException d -> TOO_LARGE;
      default -> null;
    };
  }

  /**
   * The failure for the log, on one line of at most 300 characters: the innermost cause whole
   * (class and message: what the operator needs, e.g. {@code java.net.ConnectException:
   * finishConnect(..) failed with error(-111): Connection refused}), then the classes that wrapped
   * it, whose messages only repeat it. Each of {@code tokens} (those not null nor empty) is
   * replaced: Netty's messages carry addresses and URIs, never headers, but a redaction costs
   * nothing.
   */
  public static String forLog(Throwable error, String... tokens) {
    List<Throwable> chain = new ArrayList<>();
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable e = error;
        e != null && seen.size() < MAX_DEPTH && seen.put(e, true) == null;
        e = e.getCause()) {
      chain.add(e);
    }
    StringBuilder out = new StringBuilder(chain.getLast().toString());
    for (int i = chain.size() - 2; i >= 0; i--) {
      out.append(i == chain.size() - 2 ? " (in " : " in ")
          .append(chain.get(i).getClass().getName());
    }
    if (chain.size() > 1) {
      out.append(')');
    }
    // Which server failed: a redirect target is not the hub. Host and port only: a CDN URL's query
    // is a signature, and the hub URL may carry credentials.
    chain.stream()
        .filter(e -> e instanceof WebClientRequestException)
        .map(e -> ((WebClientRequestException) e).getUri())
        .findFirst()
        .ifPresent(
            uri ->
                out.append(" requesting ")
                    .append(uri.getScheme())
                    .append("://")
                    .append(uri.getHost())
                    .append(uri.getPort() < 0 ? "" : ":" + uri.getPort()));
    String line = out.toString().replaceAll("\\s+", " ");
    for (String token : tokens == null ? new String[0] : tokens) {
      if (token != null && !token.isEmpty()) {
        line = line.replace(token, "<redacted>");
      }
    }
    return cut(line, MAX_LOG_CHARS);
  }

  private static String cut(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 3) + "...";
  }
}
