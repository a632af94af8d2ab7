package io.zeroscale.gateway;

import io.zeroscale.gateway.auth.ApiKeys;
import io.zeroscale.gateway.error.OpenAiErrorWebExceptionHandler;
import java.security.SecureRandom;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import tools.jackson.databind.json.JsonMapper;

/** Wiring of the gateway's beans; each feature package adds its own configuration later. */
@Configuration(proxyBeanMethods = false)
public class GatewayConfiguration {

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
}
