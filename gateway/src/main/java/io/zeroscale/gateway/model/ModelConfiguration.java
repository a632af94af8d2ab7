package io.zeroscale.gateway.model;

import io.zeroscale.gateway.crypto.SecretBox;
import io.zeroscale.gateway.crypto.SecretsProperties;
import io.zeroscale.gateway.model.hub.HubClient;
import io.zeroscale.gateway.model.hub.HubProperties;
import java.security.SecureRandom;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

/** Wiring of the model library: sealed HF tokens, the hub client, the store and the API. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({SecretsProperties.class, HubProperties.class})
public class ModelConfiguration {

  @Bean
  SecretBox secretBox(SecretsProperties properties) {
    return new SecretBox(properties.keyBytes(), new SecureRandom());
  }

  /** Boot 4 has no WebClient.Builder here unless a module provides one; then a plain builder. */
  @Bean
  HubClient hubClient(HubProperties properties, ObjectProvider<WebClient.Builder> builder) {
    return new HubClient(
        builder.getIfAvailable(WebClient::builder), properties.url(), properties.timeout());
  }

  @Bean
  ModelStore modelStore(DatabaseClient db) {
    return new ModelStore(db);
  }

  @Bean
  ModelService modelService(ModelStore store, HubClient hub, SecretBox secrets, Clock clock) {
    return new ModelService(store, hub, secrets, clock);
  }

  @Bean
  ModelController modelController(ModelService models) {
    return new ModelController(models);
  }
}
