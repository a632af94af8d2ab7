package io.zeroscale.gateway.routing;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.observe.Metering;
import io.zeroscale.gateway.observe.UsageSniffer;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.SignalType;

/**
 * One proxied request's measurements: started when its deployment is known, fed the response's
 * bytes as they pass (without holding them), recorded once when the exchange ends.
 */
final class RequestMeter {

  private final Metering metering;
  private final DeploymentSpec spec;
  private final boolean stream;
  private final LongSupplier nanoTime;
  private final long startNanos;
  private UsageSniffer sniffer;
  private Throwable error;
  private boolean recorded;

  RequestMeter(Metering metering, DeploymentSpec spec, boolean stream, LongSupplier nanoTime) {
    this.metering = metering;
    this.spec = spec;
    this.stream = stream;
    this.nanoTime = nanoTime;
    this.startNanos = nanoTime.getAsLong();
  }

  /** Called for each response chunk, in order, from the one subscriber writing the response. */
  synchronized void accept(ServerHttpResponse response, DataBuffer chunk) {
    if (sniffer == null) {
      var type = response.getHeaders().getContentType();
      sniffer = UsageSniffer.forContentType(type == null ? null : type.toString(), nanoTime);
    }
    sniffer.accept(chunk);
  }

  synchronized void failed(Throwable e) {
    this.error = e;
  }

  /**
   * Records once. Synchronized with {@link #accept}: the response's chunks arrive on the upstream
   * connection's event loop while a cancellation may end the request on another thread.
   */
  synchronized void record(ServerHttpResponse response, SignalType signal) {
    if (recorded) {
      return;
    }
    recorded = true;
    int status;
    if (error instanceof ZeroscaleException z) {
      status = z.error().status();
    } else if (error != null) {
      status = 502;
    } else if (signal == SignalType.CANCEL) {
      // The client went away: nginx's 499, so abandoned requests are visible on their own.
      status = 499;
    } else {
      HttpStatusCode code = response.getStatusCode();
      status = code == null ? 200 : code.value();
    }
    OptionalLong ttft = OptionalLong.empty();
    Optional<io.zeroscale.gateway.observe.Usage> usage = Optional.empty();
    if (sniffer != null) {
      usage = sniffer.usage();
      if (stream && sniffer.firstEventNanos().isPresent()) {
        ttft = OptionalLong.of(sniffer.firstEventNanos().getAsLong() - startNanos);
      }
    }
    metering.record(spec, status, stream, nanoTime.getAsLong() - startNanos, ttft, usage);
  }
}
