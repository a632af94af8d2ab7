package io.zeroscale.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zeroscale.gateway.admin.AdminController;
import io.zeroscale.gateway.admin.KeyIssuer;
import io.zeroscale.gateway.admin.TenantStore;
import io.zeroscale.gateway.auth.ApiKeys;
import io.zeroscale.gateway.auth.AuthProperties;
import io.zeroscale.gateway.auth.AuthWebFilter;
import io.zeroscale.gateway.auth.InvalidTargetHandler;
import io.zeroscale.gateway.auth.KeyAuthenticator;
import io.zeroscale.gateway.auth.KeyInvalidations;
import io.zeroscale.gateway.auth.MeController;
import io.zeroscale.gateway.auth.PathAccess;
import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.auth.R2dbcKeyStore;
import io.zeroscale.gateway.error.OpenAiErrorWebExceptionHandler;
import io.zeroscale.gateway.keys.KeyController;
import io.zeroscale.gateway.ratelimit.RateLimitProperties;
import io.zeroscale.gateway.web.JsonContentTypeFilter;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import org.redisson.api.RedissonClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.autoconfigure.web.server.ConditionalOnManagementPort;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.actuate.endpoint.ApiVersion;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.actuate.endpoint.ReactiveHealthEndpointWebExtension;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wiring of the gateway's beans.
 *
 * <p>Order of the web filters and handlers, in one place (lower runs first):
 *
 * <ol>
 *   <li>{@link #AUTH_FILTER_ORDER} authentication of every path but the public ones ({@link
 *       AuthWebFilter})
 *   <li>{@link #CONTENT_TYPE_FILTER_ORDER} JSON-only bodies on the tenant and admin APIs ({@link
 *       JsonContentTypeFilter}), after authentication so that a caller without a key learns nothing
 *       more than 401
 *   <li>{@link #ERROR_HANDLER_ORDER} the OpenAI-shaped error handler, before Boot's own (-1)
 * </ol>
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuthProperties.class)
public class GatewayConfiguration {

  public static final int AUTH_FILTER_ORDER = -100;

  public static final int CONTENT_TYPE_FILTER_ORDER = -90;

  /** Before Boot's default error handler (order -1). */
  public static final int ERROR_HANDLER_ORDER = -2;

  @Bean
  @Order(ERROR_HANDLER_ORDER)
  OpenAiErrorWebExceptionHandler openAiErrorWebExceptionHandler(JsonMapper jsonMapper) {
    return new OpenAiErrorWebExceptionHandler(jsonMapper);
  }

  @Bean
  MeController meController() {
    return new MeController();
  }

  @Bean
  ApiKeys apiKeys() {
    return new ApiKeys(new SecureRandom());
  }

  @Bean
  KeyAuthenticator keyAuthenticator(
      DatabaseClient db,
      Clock clock,
      @Value("${zeroscale.admin.key:}") String adminKey,
      AuthProperties properties,
      MeterRegistry registry) {
    KeyAuthenticator authenticator =
        new KeyAuthenticator(new R2dbcKeyStore(db), adminKey, clock, properties);
    // Auth fails closed, except for a key seen before: counted, like every fail-open path.
    Counter stale =
        Counter.builder("zeroscale.failopen")
            .description("Checks skipped (let through) because a dependency did not answer")
            .tag("dependency", "postgresql")
            .tag("path", "key-cache")
            .register(registry);
    authenticator.onServedStale(stale::increment);
    return authenticator;
  }

  /**
   * The filter that makes every path but {@code /actuator/health} need a key. It knows the
   * management endpoints by their default base path, so another base path is refused here rather
   * than leaving {@code /prometheus} readable by any tenant key.
   */
  @Bean
  AuthWebFilter authWebFilter(
      KeyAuthenticator authenticator,
      @Value("${management.endpoints.web.base-path:" + PathAccess.MANAGEMENT_BASE_PATH + "}")
          String managementBasePath) {
    PathAccess.requireDefaultBasePath(managementBasePath);
    return new AuthWebFilter(authenticator, AUTH_FILTER_ORDER);
  }

  /** A request target Spring cannot parse gets the OpenAI-shaped 400, not an empty one. */
  @Bean
  NettyServerCustomizer invalidTargetHandler() {
    return server ->
        server.doOnChannelInit(
            (observer, channel, remote) -> InvalidTargetHandler.install(channel.pipeline()));
  }

  @Bean
  JsonContentTypeFilter jsonContentTypeFilter() {
    return new JsonContentTypeFilter(CONTENT_TYPE_FILTER_ORDER);
  }

  @Bean
  KeyInvalidations keyInvalidations(RedissonClient redisson, KeyAuthenticator authenticator) {
    return new KeyInvalidations(redisson, authenticator);
  }

  /**
   * SPEC §10: load balancers probe {@code GET /actuator/health} on the main port, without a key,
   * even when {@code management.server.port} moves the management endpoints to a port of their own.
   * Then this route answers it on the main port from the same health endpoint (same groups, so only
   * once ready), with the status alone: {@code {"status":"UP"}}, or 503 and {@code
   * {"status":"DOWN"}}.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnManagementPort(ManagementPortType.DIFFERENT)
  static class MainPortHealth {

    @Bean
    RouterFunction<ServerResponse> mainPortHealth(ReactiveHealthEndpointWebExtension health) {
      return RouterFunctions.route(
          RequestPredicates.GET(PathAccess.MANAGEMENT_BASE_PATH + "/health"),
          request ->
              health
                  .health(ApiVersion.LATEST, WebServerNamespace.SERVER, SecurityContext.NONE)
                  .flatMap(
                      answer ->
                          ServerResponse.status(answer.getStatus())
                              .contentType(MediaType.APPLICATION_JSON)
                              .bodyValue(
                                  Map.of(
                                      "status",
                                      answer.getBody() == null
                                          ? Status.UNKNOWN.getCode()
                                          : answer.getBody().getStatus().getCode()))));
    }
  }

  @Bean
  TenantStore tenantStore(DatabaseClient db) {
    return new TenantStore(db);
  }

  @Bean
  KeyIssuer keyIssuer(
      TenantStore store, ApiKeys apiKeys, KeyInvalidations invalidations, Clock clock) {
    return new KeyIssuer(store, apiKeys, invalidations, clock);
  }

  @Bean
  AdminController adminController(
      TenantStore store, KeyIssuer keys, KeyInvalidations invalidations, Clock clock) {
    return new AdminController(store, keys, invalidations, clock);
  }

  /**
   * Self-service keys. The configured default rate limits are a key's ceiling when neither it nor
   * its tenant sets one; without the rate-limit configuration there are none.
   */
  @Bean
  KeyController keyController(
      TenantStore store,
      KeyIssuer keys,
      AuthProperties auth,
      ObjectProvider<RateLimitProperties> rateLimits,
      Clock clock) {
    Principal.Limits defaults =
        rateLimits.getIfAvailable(RateLimitProperties::defaults).defaultLimits();
    return new KeyController(store, keys, auth, defaults, clock);
  }
}
