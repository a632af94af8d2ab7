package io.zeroscale.gateway.model;

import io.zeroscale.api.crypto.SecretBox;
import io.zeroscale.gateway.crypto.SecretsProperties;
import io.zeroscale.gateway.model.hub.HostResolver;
import io.zeroscale.gateway.model.hub.HubClient;
import io.zeroscale.gateway.model.hub.HubProperties;
import io.zeroscale.gateway.model.s3.S3Client;
import io.zeroscale.gateway.model.s3.S3Properties;
import java.security.SecureRandom;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.reactive.function.client.WebClient;

/** Wiring of the model library: sealed HF tokens, the hub client, the store and the API. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({
  SecretsProperties.class,
  HubProperties.class,
  ModelsProperties.class,
  S3Properties.class
})
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

  /** S3 lookups share the hub's timeout (SPEC §3: a short lookup, 5 s by default). */
  @Bean
  S3Client s3Client(
      S3Properties properties,
      HubProperties hub,
      ObjectProvider<WebClient.Builder> builder,
      Clock clock) {
    return new S3Client(
        builder.getIfAvailable(WebClient::builder),
        hub.timeout(),
        HostResolver.system(),
        properties.privateHostSet(),
        properties.defaultRegion(),
        clock);
  }

  @Bean
  ModelStore modelStore(DatabaseClient db) {
    return new ModelStore(db);
  }

  @Bean
  ImportLimits importLimits(ModelsProperties properties, HubProperties hub, Clock clock) {
    return new ImportLimits(properties, hub.timeout(), clock);
  }

  /**
   * A transactional operator of our own over the R2DBC transaction manager, not a bean, so that it
   * cannot clash with one Boot may define (as the deployments' wiring does).
   */
  @Bean
  ModelService modelService(
      ModelStore store,
      HubClient hub,
      S3Client s3,
      SecretBox secrets,
      ImportLimits limits,
      ModelsProperties properties,
      ReactiveTransactionManager transactionManager,
      Clock clock) {
    return new ModelService(
        store,
        hub,
        s3,
        secrets,
        limits,
        TransactionalOperator.create(transactionManager),
        clock,
        properties.platformTokenForUnverified());
  }

  @Bean
  ModelController modelController(ModelService models) {
    return new ModelController(models);
  }
}
