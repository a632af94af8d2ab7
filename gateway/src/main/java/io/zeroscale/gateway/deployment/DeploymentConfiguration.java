package io.zeroscale.gateway.deployment;

import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.model.ModelService;
import io.zeroscale.gateway.model.hub.HubProperties;
import java.time.Clock;
import java.time.Duration;
import org.redisson.api.RedissonClient;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import tools.jackson.databind.json.JsonMapper;

/** Wiring of deployments: store, Redis publication, live-state port, API, sweeper. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({DeploymentsProperties.class, HubProperties.class})
public class DeploymentConfiguration {

  /** An import is "interrupted" once it has waited this many hub timeouts without an outcome. */
  private static final int STALE_IMPORT_TIMEOUTS = 3;

  private static final Duration MIN_STALE_IMPORT_AGE = Duration.ofSeconds(15);

  @Bean
  DeploymentStore deploymentStore(DatabaseClient db, DeploymentsProperties properties) {
    return new DeploymentStore(db, properties.maxRevisions());
  }

  @Bean
  DeploymentPublisher deploymentPublisher(RedissonClient redisson, JsonMapper json) {
    return new RedisDeploymentPublisher(redisson.reactive(), json);
  }

  /** Instance counts from the activator and queue depths from the gateways, in Redis. */
  @Bean
  DeploymentLiveState deploymentLiveState(RedissonClient redisson, JsonMapper json) {
    return new RedisLiveState(redisson.reactive(), json);
  }

  /**
   * A transactional operator of our own over the R2DBC transaction manager, not a bean, so that it
   * cannot clash with one Boot may define.
   */
  @Bean
  DeploymentService deploymentService(
      DeploymentStore store,
      ModelService models,
      HardwareCatalog catalog,
      DeploymentPublisher publisher,
      DeploymentLiveState live,
      ReactiveTransactionManager transactionManager,
      Clock clock) {
    return new DeploymentService(
        store,
        models,
        catalog,
        publisher,
        live,
        TransactionalOperator.create(transactionManager),
        clock);
  }

  @Bean
  DeploymentController deploymentController(
      DeploymentService deployments, HardwareCatalog catalog) {
    return new DeploymentController(deployments, catalog);
  }

  @Bean
  OpenAiModelsController openAiModelsController(DeploymentService deployments) {
    return new OpenAiModelsController(deployments);
  }

  @Bean
  DeploymentSweeper deploymentSweeper(
      DeploymentService deployments,
      ModelService models,
      DeploymentsProperties properties,
      HubProperties hub) {
    Duration stale = hub.timeout().multipliedBy(STALE_IMPORT_TIMEOUTS);
    return new DeploymentSweeper(
        deployments,
        models,
        properties.sweepInterval(),
        stale.compareTo(MIN_STALE_IMPORT_AGE) < 0 ? MIN_STALE_IMPORT_AGE : stale);
  }
}
