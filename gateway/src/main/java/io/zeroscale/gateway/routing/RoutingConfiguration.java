package io.zeroscale.gateway.routing;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.zeroscale.gateway.GatewayConfiguration;
import io.zeroscale.gateway.inspect.BodyBudget;
import io.zeroscale.gateway.inspect.BodyLimits;
import io.zeroscale.gateway.inspect.InferencePath;
import io.zeroscale.gateway.inspect.KeyConcurrency;
import io.zeroscale.gateway.observe.Metering;
import io.zeroscale.gateway.observe.RequestTracing;
import io.zeroscale.gateway.ratelimit.KeyRateLimiter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.UUID;
import org.redisson.api.RedissonClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * The data plane's wiring: the in-memory mirrors, their Redis sync, the per-deployment queues, and
 * one Spring Cloud Gateway route for every inference path (also under {@code /custom-model}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({
  BodyLimits.class,
  BodyBudget.Limits.class,
  KeyConcurrency.Limit.class,
  UpstreamProperties.class,
  RoutingProperties.class
})
public class RoutingConfiguration {

  /** Before authentication, so that every response, a 401 too, carries its request id. */
  public static final int REQUEST_ID_FILTER_ORDER = GatewayConfiguration.AUTH_FILTER_ORDER - 100;

  @Bean
  DeploymentDirectory deploymentDirectory() {
    return new DeploymentDirectory();
  }

  @Bean
  InstanceDirectory instanceDirectory() {
    return new InstanceDirectory(System::nanoTime);
  }

  @Bean
  Routing routing(
      DeploymentDirectory deployments, InstanceDirectory instances, MeterRegistry registry) {
    Routing routing = new Routing(deployments, instances, System::nanoTime);
    routing.meter(new QueueMetrics(registry));
    return routing;
  }

  @Bean
  RoutingSync routingSync(
      RedissonClient redisson,
      JsonMapper json,
      DeploymentDirectory deployments,
      InstanceDirectory instances,
      Routing routing,
      Clock clock,
      RoutingProperties properties) {
    return new RoutingSync(
        redisson,
        json,
        deployments,
        instances,
        routing,
        gatewayId(),
        clock,
        properties.heartbeat(),
        properties.resync(),
        properties.missingGrace());
  }

  @Bean
  StreamingResponses streamingResponses() {
    return new StreamingResponses();
  }

  /** Held streams get keep-alive comments ({@link RoutingProperties#holdKeepalive()}). */
  @Bean
  HeldRequests heldRequests(JsonMapper json, RoutingProperties properties) {
    return new HeldRequests(properties.holdKeepalive(), Schedulers.parallel(), json);
  }

  @Bean
  InferenceFilter inferenceFilter(
      DeploymentDirectory deployments,
      Routing routing,
      RoutingSync sync,
      KeyRateLimiter rateLimiter,
      BodyLimits limits,
      BodyBudget budget,
      KeyConcurrency.Limit perKey,
      StreamingResponses responses,
      HeldRequests held,
      Metering metering,
      ObjectProvider<WakeUpGuard> wakeUpGuard,
      UpstreamClients upstream,
      ObjectProvider<Tracer> tracer,
      ObjectProvider<Propagator> propagator,
      @Value("${management.tracing.sampling.probability:0.1}") double sampling) {
    return new InferenceFilter(
        new InferenceFilter.Admission(rateLimiter, limits, budget, new KeyConcurrency(perKey)),
        new InferenceFilter.Dispatch(
            deployments, routing, sync, held, wakeUpGuard.getIfAvailable(() -> WakeUpGuard.NONE)),
        responses,
        metering,
        upstream,
        new RequestTracing(
            tracer.getIfAvailable(() -> Tracer.NOOP),
            propagator.getIfAvailable(() -> Propagator.NOOP),
            sampling));
  }

  /**
   * Replaces Boot's sampler (which lets a client's sampled {@code traceparent} decide): see {@link
   * RequestTracing#sampler}.
   */
  @Bean
  Sampler otelSampler(@Value("${management.tracing.sampling.probability:0.1}") double sampling) {
    return RequestTracing.sampler(sampling);
  }

  @Bean(destroyMethod = "dispose")
  UpstreamClients upstreamClients(UpstreamProperties properties) {
    return new UpstreamClients(properties);
  }

  /** Request bytes held in memory; the gauges show how full the budget is. */
  @Bean
  BodyBudget bodyBudget(BodyBudget.Limits limits, MeterRegistry registry) {
    BodyBudget budget = new BodyBudget(limits);
    Gauge.builder("zeroscale.gateway.body_bytes", budget, BodyBudget::used)
        .description("Request body bytes this gateway holds in memory (held and in flight)")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("zeroscale.gateway.body_bytes.limit", limits, BodyBudget.Limits::gatewayBytes)
        .description("zeroscale.gateway.body-budget.gateway-bytes")
        .baseUnit("bytes")
        .register(registry);
    return budget;
  }

  @Bean
  Metering metering(MeterRegistry registry) {
    return new Metering(registry);
  }

  @Bean
  RequestIdWebFilter requestIdWebFilter() {
    return new RequestIdWebFilter(REQUEST_ID_FILTER_ORDER);
  }

  /**
   * One route for every inference path (also under {@code /custom-model}), POST only. Its predicate
   * is one hash lookup ({@link InferencePath#match}) rather than a path pattern per path: on a
   * CPU-bound load, twelve pattern matches per request showed in the profile.
   */
  @Bean
  RouteLocator inferenceRoutes(RouteLocatorBuilder routes, InferenceFilter filter) {
    return routes
        .routes()
        .route(
            "inference",
            r ->
                r.predicate(RoutingConfiguration::isInference)
                    // The inference filter proxies the request itself (UpstreamProxy) to the
                    // instance it chose; the route's URI is never used.
                    .filters(f -> f.filter(filter))
                    .uri("http://instance.invalid"))
        .build();
  }

  static boolean isInference(ServerWebExchange exchange) {
    ServerHttpRequest request = exchange.getRequest();
    return HttpMethod.POST.equals(request.getMethod())
        && InferencePath.match(request.getPath().pathWithinApplication().value()).isPresent();
  }

  /** Unique per process: host name plus a random suffix (two gateways may share a host). */
  static String gatewayId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "gateway";
    }
    return "gw-" + host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
