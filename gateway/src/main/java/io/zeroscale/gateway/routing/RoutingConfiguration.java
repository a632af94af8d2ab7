package io.zeroscale.gateway.routing;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.zeroscale.gateway.GatewayConfiguration;
import io.zeroscale.gateway.inspect.BodyBudget;
import io.zeroscale.gateway.inspect.BodyLimits;
import io.zeroscale.gateway.inspect.InferencePath;
import io.zeroscale.gateway.inspect.KeyConcurrency;
import io.zeroscale.gateway.observe.Metering;
import io.zeroscale.gateway.ratelimit.RateLimiter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  KeyConcurrency.Limit.class
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
  Routing routing(DeploymentDirectory deployments, InstanceDirectory instances) {
    return new Routing(deployments, instances, System::nanoTime);
  }

  @Bean
  RoutingSync routingSync(
      RedissonClient redisson,
      JsonMapper json,
      DeploymentDirectory deployments,
      InstanceDirectory instances,
      Routing routing,
      Clock clock,
      @Value("${zeroscale.gateway.heartbeat:1s}") Duration heartbeat,
      @Value("${zeroscale.gateway.resync:10s}") Duration resync,
      @Value("${zeroscale.gateway.missing-grace:60s}") Duration grace) {
    return new RoutingSync(
        redisson,
        json,
        deployments,
        instances,
        routing,
        gatewayId(),
        clock,
        heartbeat,
        resync,
        grace);
  }

  @Bean
  StreamingResponses streamingResponses() {
    return new StreamingResponses();
  }

  /**
   * {@code zeroscale.gateway.hold-keepalive}: how long a held stream waits silently before its
   * first {@code : waiting for instance} comment, and the interval between them (0 turns them off).
   */
  @Bean
  HeldRequests heldRequests(
      JsonMapper json, @Value("${zeroscale.gateway.hold-keepalive:15s}") Duration keepAlive) {
    return new HeldRequests(keepAlive, Schedulers.parallel(), json);
  }

  @Bean
  InferenceFilter inferenceFilter(
      DeploymentDirectory deployments,
      Routing routing,
      RoutingSync sync,
      RateLimiter rateLimiter,
      BodyLimits limits,
      BodyBudget budget,
      KeyConcurrency.Limit perKey,
      StreamingResponses responses,
      HeldRequests held,
      Metering metering,
      ObjectProvider<WakeUpGuard> wakeUpGuard) {
    return new InferenceFilter(
        deployments,
        routing,
        sync,
        rateLimiter,
        limits,
        budget,
        new KeyConcurrency(perKey),
        responses,
        held,
        metering,
        wakeUpGuard.getIfAvailable(() -> WakeUpGuard.NONE));
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

  @Bean
  RouteLocator inferenceRoutes(RouteLocatorBuilder routes, InferenceFilter filter) {
    List<String> paths = new ArrayList<>();
    for (InferencePath p : InferencePath.values()) {
      paths.add(p.upstreamPath());
      paths.add(InferencePath.CUSTOM_MODEL_PREFIX + p.upstreamPath());
    }
    return routes
        .routes()
        .route(
            "inference",
            r ->
                r.path(paths.toArray(String[]::new))
                    .and()
                    .method(HttpMethod.POST)
                    // Each filter's getOrder() places it: see InferenceFilter, UpstreamUrlFilter.
                    .filters(f -> f.filter(filter).filter(new UpstreamUrlFilter()))
                    // Replaced per request by the chosen instance's URL (InferenceFilter).
                    .uri("http://instance.invalid"))
        .build();
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
