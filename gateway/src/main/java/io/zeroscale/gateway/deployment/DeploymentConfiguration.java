package io.zeroscale.gateway.deployment;

import io.zeroscale.api.InstanceLogs;
import io.zeroscale.api.RedisSchema;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.model.ModelService;
import io.zeroscale.gateway.model.hub.HubProperties;
import io.zeroscale.gateway.observe.DeploymentSeries;
import io.zeroscale.gateway.observe.Metering;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
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

  /**
   * The tenant metrics' series: fed by the data plane's {@link Metering}, flushed to Redis every
   * {@code zeroscale.gateway.series-flush-interval} (default 10 s) with the queue depth and
   * instance counts of every deployment the activator runs.
   */
  @Bean(initMethod = "start", destroyMethod = "close")
  DeploymentSeries deploymentSeries(
      RedissonClient redisson,
      JsonMapper json,
      Clock clock,
      DeploymentLiveState live,
      ObjectProvider<Metering> metering,
      @Value("${zeroscale.gateway.series-flush-interval:10s}") Duration flushInterval) {
    var reactive = redisson.reactive();
    DeploymentSeries.Gauges gauges =
        DeploymentSeries.gauges(
            reactive
                .<String, String>getMap(RedisSchema.LIVE, StringCodec.INSTANCE)
                .readAllKeySet()
                .map(List::copyOf),
            ids ->
                live.read(ids.stream().map(UUID::fromString).toList())
                    .map(
                        states -> {
                          Map<String, long[]> out = new HashMap<>();
                          states.forEach(
                              (id, s) ->
                                  out.put(
                                      id.toString(),
                                      new long[] {s.queueDepth(), s.desired(), s.ready()}));
                          return out;
                        }));
    DeploymentSeries series = new DeploymentSeries(reactive, json, clock, flushInterval, gauges);
    metering.ifAvailable(m -> m.feed(series));
    return series;
  }

  @Bean
  TenantObservabilityController tenantObservabilityController(
      DeploymentService deployments,
      DeploymentLiveState live,
      DeploymentSeries series,
      RedissonClient redisson,
      JsonMapper json,
      ObjectProvider<InstanceLogs> logs,
      Clock clock) {
    return new TenantObservabilityController(
        deployments,
        live,
        series,
        redisson.reactive(),
        json,
        Optional.ofNullable(logs.getIfAvailable()),
        clock);
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
