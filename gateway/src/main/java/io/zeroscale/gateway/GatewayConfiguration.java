package io.zeroscale.gateway;

import io.zeroscale.gateway.admin.AdminController;
import io.zeroscale.gateway.admin.TenantStore;
import io.zeroscale.gateway.auth.ApiKeys;
import io.zeroscale.gateway.auth.AuthWebFilter;
import io.zeroscale.gateway.auth.KeyAuthenticator;
import io.zeroscale.gateway.auth.KeyInvalidations;
import io.zeroscale.gateway.auth.R2dbcKeyStore;
import io.zeroscale.gateway.error.OpenAiErrorWebExceptionHandler;
import io.zeroscale.gateway.web.JsonContentTypeFilter;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import org.redisson.api.RedissonClient;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.r2dbc.core.DatabaseClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wiring of the gateway's beans.
 *
 * <p>Order of the web filters and handlers, in one place (lower runs first):
 *
 * <ol>
 *   <li>{@link #AUTH_FILTER_ORDER} authentication of every API path ({@link AuthWebFilter})
 *   <li>{@link #CONTENT_TYPE_FILTER_ORDER} JSON-only bodies on the tenant and admin APIs ({@link
 *       JsonContentTypeFilter}), after authentication so that a caller without a key learns nothing
 *       more than 401
 *   <li>{@link #ERROR_HANDLER_ORDER} the OpenAI-shaped error handler, before Boot's own (-1)
 * </ol>
 */
@Configuration(proxyBeanMethods = false)
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
  ApiKeys apiKeys() {
    return new ApiKeys(new SecureRandom());
  }

  @Bean
  KeyAuthenticator keyAuthenticator(
      DatabaseClient db,
      Clock clock,
      @Value("${zeroscale.admin.key:}") String adminKey,
      @Value("${zeroscale.auth.cache-ttl:60s}") Duration cacheTtl) {
    return new KeyAuthenticator(new R2dbcKeyStore(db), adminKey, clock, cacheTtl);
  }

  @Bean
  AuthWebFilter authWebFilter(KeyAuthenticator authenticator) {
    return new AuthWebFilter(authenticator, AUTH_FILTER_ORDER);
  }

  @Bean
  JsonContentTypeFilter jsonContentTypeFilter() {
    return new JsonContentTypeFilter(CONTENT_TYPE_FILTER_ORDER);
  }

  @Bean
  KeyInvalidations keyInvalidations(RedissonClient redisson, KeyAuthenticator authenticator) {
    return new KeyInvalidations(redisson, authenticator);
  }

  @Bean
  TenantStore tenantStore(DatabaseClient db) {
    return new TenantStore(db);
  }

  @Bean
  AdminController adminController(
      TenantStore store, ApiKeys apiKeys, KeyInvalidations invalidations, Clock clock) {
    return new AdminController(store, apiKeys, invalidations, clock);
  }
}
