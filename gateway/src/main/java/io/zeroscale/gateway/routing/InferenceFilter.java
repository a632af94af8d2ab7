package io.zeroscale.gateway.routing;

import io.micrometer.tracing.Span;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.Family;
import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.inspect.BodyBudget;
import io.zeroscale.gateway.inspect.BodyLimits;
import io.zeroscale.gateway.inspect.BodyReader;
import io.zeroscale.gateway.inspect.InferencePath;
import io.zeroscale.gateway.inspect.Inspection;
import io.zeroscale.gateway.inspect.KeyConcurrency;
import io.zeroscale.gateway.inspect.RequestInspector;
import io.zeroscale.gateway.observe.Metering;
import io.zeroscale.gateway.observe.RequestTracing;
import io.zeroscale.gateway.ratelimit.KeyRateLimiter;
import io.zeroscale.gateway.ratelimit.RateDecision;
import io.zeroscale.gateway.ratelimit.RateLimitHeaders;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.PrematureCloseException;

/**
 * The inference path: from an authenticated request to a slot on an instance.
 *
 * <ol>
 *   <li>admit it before reading a byte of its body: a {@code Content-Length} over the size limit
 *       (413), the key's requests in flight on this gateway ({@link KeyConcurrency}, 429), its rate
 *       limits (429 with {@code Retry-After} and {@code x-ratelimit-*}), the bytes its body will
 *       hold against the gateway's and the tenant's {@link BodyBudget} (429);
 *   <li>read the body within its size limit (413) and find only {@code model} and {@code stream} in
 *       it (400), never re-serializing it;
 *   <li>resolve the model among the tenant's deployments (404, the same for another tenant's),
 *       check the key's inference scope (403) and the path's family (400);
 *   <li>take a slot (least outstanding requests within this gateway's fleet share), waiting in the
 *       deployment's FIFO queue when none is free (429 past {@code max_queued_requests}, 504 past
 *       {@code activation_timeout}, 503 when the deployment failed to start or found no GPU
 *       capacity, 404 when it is being deleted; see {@link HoldErrors}), a waiting stream kept
 *       alive by {@link HeldRequests};
 *   <li>send the same bytes to the instance ({@link UpstreamProxy}) and write its answer through
 *       {@link StreamingResponses} (metering, OpenAI-shaped errors, an SSE error event when a
 *       stream breaks), and give the slot back when the exchange ends however it ends (completion,
 *       error, client disconnect).
 * </ol>
 *
 * It is the route's last filter: it proxies the request itself, so none of Spring Cloud Gateway's
 * global filters after it (its routing, response writing, metrics and header filters) run.
 */
public final class InferenceFilter implements GatewayFilter, Ordered {

  /** The route's only filter; Spring Cloud Gateway's global filters are switched off. */
  public static final int ORDER = 0;

  /** How long an instance that refused a connection gets no new requests from this gateway. */
  private static final Duration SUSPEND = Duration.ofSeconds(5);

  private final Admission admission;
  private final Dispatch dispatch;
  private final StreamingResponses responses;
  private final Metering metering;
  private final UpstreamProxy proxy;
  private final RequestTracing tracing;

  /**
   * What admits a request before a byte of its body is read.
   *
   * @param rateLimiter the key's rate and concurrency limits
   * @param limits the size limits of request bodies
   * @param budget the request bytes this gateway holds at once, in all and per tenant
   * @param perKey the requests one key may have in flight on this gateway
   */
  public record Admission(
      KeyRateLimiter rateLimiter, BodyLimits limits, BodyBudget budget, KeyConcurrency perKey) {}

  /**
   * What takes an admitted request to a slot on an instance.
   *
   * @param directory the deployments, to resolve a model name
   * @param routing the per-deployment queues
   * @param sync wakes a deployment up through Redis
   * @param held serves a request while it waits for its slot
   * @param wakeUpGuard refuses wake-ups that must not happen (the tenant's spend limit: 402)
   */
  public record Dispatch(
      DeploymentDirectory directory,
      Routing routing,
      RoutingSync sync,
      HeldRequests held,
      WakeUpGuard wakeUpGuard) {}

  /**
   * @param clients the connections to instances, one pool per event loop
   */
  public InferenceFilter(
      Admission admission,
      Dispatch dispatch,
      StreamingResponses responses,
      Metering metering,
      UpstreamClients clients) {
    this(admission, dispatch, responses, metering, clients, RequestTracing.OFF);
  }

  /**
   * @param clients the connections to instances, one pool per event loop
   * @param tracing the request's spans ({@link RequestTracing#OFF} without tracing)
   */
  public InferenceFilter(
      Admission admission,
      Dispatch dispatch,
      StreamingResponses responses,
      Metering metering,
      UpstreamClients clients,
      RequestTracing tracing) {
    this.tracing = tracing;
    this.admission = admission;
    this.dispatch = dispatch;
    this.responses = responses;
    this.metering = metering;
    this.proxy = new UpstreamProxy(clients);
  }

  @Override
  public int getOrder() {
    return ORDER;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
    ServerHttpRequest request = exchange.getRequest();
    InferencePath path =
        InferencePath.match(request.getPath().pathWithinApplication().value())
            .orElseThrow(
                () -> new ZeroscaleException(OpenAiError.of(404, "Not found: no such path")));
    Principal principal = Principal.of(exchange);
    String tenantId = principal.requireTenant().toString();
    BodyLimits limits = admission.limits();
    long limit = path.family() == Family.AUDIO ? limits.audioBytes() : limits.defaultBytes();
    long contentLength = request.getHeaders().getContentLength();
    if (contentLength > limit) {
      // Refused on its Content-Length alone: not a byte of the body is read.
      return refusedBeforeResolution(
          new ZeroscaleException(BodyLimits.tooLarge(contentLength, limit, null)));
    }
    // Admission before the body is read: the key's requests in flight here, its rate and
    // concurrency limits, then the bytes the body will hold (its Content-Length now; a chunked
    // body's as it arrives).
    UUID keyId = principal.keyId();
    KeyConcurrency perKey = admission.perKey();
    if (!perKey.tryAcquire(keyId)) {
      return refusedBeforeResolution(new ZeroscaleException(perKey.refusal(), 1));
    }
    return admission
        .rateLimiter()
        .acquire(principal)
        .flatMap(
            decision -> {
              RateLimitHeaders.apply(exchange.getResponse().getHeaders(), decision);
              if (decision instanceof RateDecision.Limited l) {
                return Mono.error(
                    new ZeroscaleException(
                        OpenAiError.of(429, l.message(), null, "rate_limit_exceeded")));
              }
              Runnable releaseRate = ((RateDecision.Allowed) decision).release();
              BodyBudget.Reservation bytes = admission.budget().open(tenantId);
              return Mono.defer(
                      () -> {
                        BodyBudget.Scope over = bytes.ensure(Math.max(contentLength, 0));
                        if (over != null) {
                          return Mono.error(new ZeroscaleException(BodyBudget.refusal(over), 1));
                        }
                        return BodyReader.read(
                                request.getBody(),
                                limit,
                                contentLength >= 0 ? contentLength : null,
                                null,
                                bytes)
                            .switchIfEmpty(Mono.fromSupplier(() -> new byte[0]))
                            .flatMap(
                                body ->
                                    inspection(path, body, request.getHeaders())
                                        .flatMap(
                                            ok ->
                                                proxy(
                                                    exchange, principal, tenantId, path, body,
                                                    ok)));
                      })
                  .doFinally(
                      s -> {
                        bytes.release();
                        releaseRate.run();
                      });
            })
        .doFinally(s -> perKey.release(keyId))
        .onErrorResume(
            e -> {
              // Refused before a deployment was known (400, 403, 404, 413, 429): metered under
              // deployment "none", so abuse and client bugs show up in the metrics too.
              if (!(e instanceof Resolved)) {
                return refusedBeforeResolution(e);
              }
              return Mono.error(e.getCause());
            });
  }

  private Mono<Void> refusedBeforeResolution(Throwable e) {
    int status = e instanceof ZeroscaleException z ? z.error().status() : 500;
    metering.record(null, null, status, false, 0, OptionalLong.empty(), Optional.empty());
    return Mono.error(e);
  }

  /** Carries an error that happened after resolution, which its request's meter recorded. */
  private static final class Resolved extends RuntimeException {
    Resolved(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /**
   * JSON inspection is microseconds and stays on the event loop; a multipart scan of a 32 MiB
   * upload takes milliseconds, so it moves to a parallel worker.
   */
  private static Mono<Inspection.Ok> inspection(
      InferencePath path, byte[] body, HttpHeaders headers) {
    Mono<Inspection.Ok> inspected = Mono.fromCallable(() -> inspect(path, body, headers));
    return path.multipart() ? inspected.subscribeOn(Schedulers.parallel()) : inspected;
  }

  private Mono<Void> proxy(
      ServerWebExchange exchange,
      Principal principal,
      String tenantId,
      InferencePath path,
      byte[] body,
      Inspection.Ok ok) {
    DeploymentSpec spec = resolve(principal, tenantId, ok.model(), path);
    RequestMeter meter = new RequestMeter(metering, spec, ok.stream(), System::nanoTime);
    // Null unless this request is sampled: then nothing below allocates for tracing.
    Span span = tracing.request(exchange.getRequest().getHeaders(), tenantId, spec, ok.stream());
    Mono<Void> flow =
        Mono.defer(
                () -> {
                  DeploymentQueue queue;
                  try {
                    queue = dispatch.routing().queue(spec);
                  } catch (Routing.DeploymentGone e) {
                    return Mono.error(
                        HoldErrors.toClient(e, spec, Optional.empty(), Duration.ZERO));
                  }
                  boolean cold = !queue.hasReadyInstance();
                  Span hold = tracing.child(span, RequestTracing.HOLD);
                  if (hold != null) {
                    hold.tag(RequestTracing.COLD, cold);
                  }
                  if (cold) {
                    Optional<ZeroscaleException> refused = dispatch.wakeUpGuard().refuse(spec);
                    if (refused.isPresent()) {
                      RequestTracing.end(hold, refused.get().error().status());
                      return Mono.error(refused.get());
                    }
                    // The hold's context goes with the wake-up: the activator's boot span is
                    // its child, so one trace shows request → hold → boot → upstream call.
                    dispatch.sync().wakeUp(spec.id(), RequestTracing.traceparent(hold));
                  }
                  return dispatch
                      .held()
                      .serve(
                          exchange.getResponse(),
                          traced(slot(queue, spec), hold),
                          cold,
                          ok.stream(),
                          meter,
                          (lease, target) ->
                              forward(exchange, path, body, lease, spec, meter, target, span));
                })
            .doOnError(meter::failed)
            .doOnError(e -> RequestTracing.end(span, statusOf(e)))
            .doFinally(
                signal -> {
                  meter.record(exchange.getResponse(), signal);
                  if (span != null && signal != SignalType.ON_ERROR) {
                    HttpStatusCode code = exchange.getResponse().getStatusCode();
                    RequestTracing.end(span, code == null ? 499 : code.value());
                  }
                });
    return flow.onErrorMap(Resolved::new);
  }

  /** The hold's span ends when the wait does: with the instance it got, or with its error. */
  private static Mono<SlotLease> traced(Mono<SlotLease> slot, Span hold) {
    if (hold == null) {
      return slot;
    }
    return slot.doOnNext(lease -> hold.tag(RequestTracing.INSTANCE, lease.instanceId()))
        .doOnError(e -> hold.tag(RequestTracing.STATUS, statusOf(e)).error(e))
        .doFinally(s -> hold.end());
  }

  private static int statusOf(Throwable e) {
    return e instanceof ZeroscaleException z ? z.error().status() : 500;
  }

  private static Inspection.Ok inspect(InferencePath path, byte[] body, HttpHeaders headers) {
    return switch (RequestInspector.inspect(
        path, body, headers.getFirst(HttpHeaders.CONTENT_TYPE))) {
      case Inspection.Ok ok -> ok;
      case Inspection.Rejected r -> throw new ZeroscaleException(r.error());
    };
  }

  private DeploymentSpec resolve(
      Principal principal, String tenantId, String model, InferencePath path) {
    DeploymentSpec spec =
        dispatch
            .directory()
            .resolve(tenantId, principal.tenantName(), model)
            .orElseThrow(
                () ->
                    new ZeroscaleException(
                        OpenAiError.of(
                            404,
                            "The model `" + model + "` does not exist.",
                            "model",
                            "model_not_found")));
    if (!principal.mayInfer(spec.modelName())) {
      throw new ZeroscaleException(
          OpenAiError.of(
              403,
              "This key may not call the model `" + model + "`.",
              "model",
              "insufficient_scope"));
    }
    if (spec.family() != path.family()) {
      throw new ZeroscaleException(
          OpenAiError.of(
              400,
              "The model `"
                  + model
                  + "` is a "
                  + spec.family().wire()
                  + " model; "
                  + path.upstreamPath()
                  + " serves "
                  + path.family().wire()
                  + " models.",
              "model",
              "wrong_model_family"));
    }
    return spec;
  }

  /**
   * A slot of the deployment's queue; how the wait ends without one is decided on the deployment as
   * it is then (a timeout while it waits for GPU capacity is a 503, not a 504).
   */
  private Mono<SlotLease> slot(DeploymentQueue queue, DeploymentSpec spec) {
    Duration timeout = Duration.ofSeconds(spec.settings().activationTimeoutS());
    return queue
        .acquire(timeout, Schedulers.parallel())
        .onErrorMap(
            e -> HoldErrors.toClient(e, spec, dispatch.directory().byId(spec.id()), timeout));
  }

  private Mono<Void> forward(
      ServerWebExchange exchange,
      InferencePath path,
      byte[] body,
      SlotLease lease,
      DeploymentSpec spec,
      RequestMeter meter,
      ServerHttpResponse target,
      Span span) {
    ServerHttpRequest original = exchange.getRequest();
    String query = original.getURI().getRawQuery();
    URI upstream =
        URI.create(lease.url() + path.upstreamPath() + (query == null ? "" : "?" + query));
    String requestId = exchange.getAttribute(RequestIdWebFilter.ATTRIBUTE);
    Span call = tracing.child(span, RequestTracing.UPSTREAM);
    Mono<Void> proxied =
        proxy.proxy(
            original,
            upstream,
            body,
            requestId,
            lease.engineKey(),
            RequestTracing.traceparent(call),
            responses.decorate(target, spec, lease, meter));
    if (call != null) {
      call.tag(RequestTracing.INSTANCE, lease.instanceId());
      proxied =
          proxied
              .doOnError(call::error)
              .doFinally(
                  s -> {
                    HttpStatusCode code = target.getStatusCode();
                    RequestTracing.end(call, code == null ? 502 : code.value());
                  });
    }
    return proxied.onErrorMap(
        e -> isRefused(e) || isClosedBeforeResponse(e, target),
        e -> {
          if (isRefused(e)) {
            // Nothing reached it; keep new requests away while the activator notices.
            dispatch
                .routing()
                .existingQueue(spec.id())
                .ifPresent(q -> q.suspend(lease.instanceId(), SUSPEND));
          }
          return new ZeroscaleException(
              OpenAiError.of(
                  502,
                  "The instance serving `" + spec.fullName() + "` did not answer the request.",
                  null,
                  "instance_unreachable"));
        });
  }

  private static boolean isRefused(Throwable e) {
    return e instanceof ConnectException;
  }

  /** Reactor Netty's "Connection prematurely closed BEFORE response". */
  private static boolean isClosedBeforeResponse(Throwable e, ServerHttpResponse target) {
    return e instanceof PrematureCloseException && !target.isCommitted();
  }
}
