package io.zeroscale.gateway.billing;

import io.zeroscale.gateway.hardware.HardwareCatalog;
import java.time.Clock;
import java.time.Duration;
import org.redisson.api.RedissonClient;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wiring of billing: the ledger's projector, invoices and usage, the spend limit's Redis board and
 * every gateway's mirror of it (which is also the data plane's {@code WakeUpGuard}).
 *
 * <ul>
 *   <li>{@code zeroscale.billing.project-interval} (5 s): how often events become ledger rows and
 *       spend limits are re-evaluated
 *   <li>{@code zeroscale.billing.heartbeat-timeout} (5 min): an instance with no heartbeat and no
 *       {@code stopped} event for this long is closed at its last heartbeat
 *   <li>{@code zeroscale.billing.budget-refresh} (2 s): how often gateways re-read the budgets
 *       (changes are also pushed by pub/sub)
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class BillingConfiguration {

  @Bean
  BillingStore billingStore(DatabaseClient db) {
    return new BillingStore(db);
  }

  @Bean
  BudgetBoard budgetBoard(RedissonClient redisson, JsonMapper json) {
    return new RedisBudgetBoard(redisson.reactive(), json);
  }

  @Bean
  BillingService billingService(
      BillingStore store,
      DatabaseClient db,
      HardwareCatalog catalog,
      ReactiveTransactionManager transactionManager,
      BudgetBoard board,
      Clock clock,
      @Value("${zeroscale.billing.heartbeat-timeout:5m}") Duration heartbeatTimeout) {
    if (heartbeatTimeout.compareTo(Duration.ofSeconds(30)) < 0) {
      throw new IllegalArgumentException(
          "zeroscale.billing.heartbeat-timeout must be at least 30s (heartbeats come every 15 s),"
              + " got "
              + heartbeatTimeout);
    }
    return new BillingService(
        store,
        db,
        catalog,
        TransactionalOperator.create(transactionManager),
        board,
        clock,
        heartbeatTimeout);
  }

  @Bean
  BillingProjector billingProjector(
      BillingService billing,
      @Value("${zeroscale.billing.project-interval:5s}") Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(
          "zeroscale.billing.project-interval must be positive, got " + interval);
    }
    return new BillingProjector(billing, interval);
  }

  @Bean
  BudgetMirror budgetMirror(
      RedissonClient redisson,
      JsonMapper json,
      HardwareCatalog catalog,
      Clock clock,
      @Value("${zeroscale.billing.budget-refresh:2s}") Duration refresh) {
    return new BudgetMirror(redisson, json, catalog, clock, refresh);
  }

  @Bean
  BillingController billingController(BillingService billing, Clock clock) {
    return new BillingController(billing, clock);
  }
}
