package io.zeroscale.billing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.zeroscale.activator.core.BudgetPort;
import io.zeroscale.activator.events.EventLog;
import io.zeroscale.activator.events.HeartbeatLog;
import io.zeroscale.billing.events.R2dbcEventLog;
import io.zeroscale.billing.events.R2dbcHeartbeatLog;
import io.zeroscale.billing.invoice.InvoiceService;
import io.zeroscale.billing.invoice.InvoiceStore;
import io.zeroscale.billing.ledger.LedgerProjection;
import io.zeroscale.billing.ledger.LedgerStore;
import io.zeroscale.billing.limit.BudgetBoard;
import io.zeroscale.billing.limit.BudgetMirror;
import io.zeroscale.billing.limit.CountedBudgetPort;
import io.zeroscale.billing.limit.FailOpenBudgetPort;
import io.zeroscale.billing.limit.RedisBudgetBoard;
import io.zeroscale.billing.limit.ReservationStore;
import io.zeroscale.billing.limit.SpendLimitBudgetPort;
import io.zeroscale.billing.limit.SpendLimits;
import io.zeroscale.billing.settings.SettingsService;
import io.zeroscale.billing.settings.SettingsStore;
import io.zeroscale.billing.tenant.BillingTenants;
import io.zeroscale.billing.usage.UsageService;
import io.zeroscale.billing.web.BillingController;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import java.time.Clock;
import org.redisson.api.RedissonClient;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wiring of billing: the ledger's projection and its loop, invoices, usage, the spend limit (its
 * Redis board and every gateway's mirror of it, which is also the data plane's {@code
 * WakeUpGuard}), and the adapters the activator is given: its lifecycle-event and heartbeat logs on
 * PostgreSQL and its {@link BudgetPort}. The host application provides a {@link DatabaseClient}, a
 * transaction manager, a {@link RedissonClient}, a {@link JsonMapper}, a {@link Clock} and the
 * gateway's {@link HardwareCatalog}. Settings: {@link BillingProperties}. The PostgreSQL stores
 * (tenants, ledger, invoices, reservations) take only the {@link DatabaseClient} and are imported
 * as they are.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(BillingProperties.class)
@Import({
  BillingTenants.class,
  LedgerStore.class,
  InvoiceStore.class,
  ReservationStore.class,
  SettingsStore.class
})
public class BillingConfiguration {

  @Bean
  BudgetBoard budgetBoard(RedissonClient redisson, JsonMapper json) {
    return new RedisBudgetBoard(redisson.reactive(), json);
  }

  @Bean
  LedgerProjection ledgerProjection(
      LedgerStore ledger, HardwareCatalog catalog, Clock clock, BillingProperties props) {
    return new LedgerProjection(ledger, catalog, clock, props.heartbeatTimeout());
  }

  @Bean
  SpendLimits spendLimits(
      LedgerStore ledger,
      ReservationStore reservations,
      BillingTenants tenants,
      HardwareCatalog catalog,
      ReactiveTransactionManager transactionManager,
      BudgetBoard board,
      Clock clock) {
    return new SpendLimits(
        ledger,
        reservations,
        tenants,
        catalog,
        TransactionalOperator.create(transactionManager),
        board,
        clock);
  }

  @Bean
  InvoiceService invoiceService(
      InvoiceStore store,
      LedgerStore ledger,
      LedgerProjection projection,
      BillingTenants tenants,
      ReactiveTransactionManager transactionManager,
      Clock clock) {
    return new InvoiceService(
        store,
        ledger,
        projection,
        tenants,
        TransactionalOperator.create(transactionManager),
        clock);
  }

  @Bean
  UsageService usageService(
      LedgerStore ledger,
      BudgetBoard board,
      BillingTenants tenants,
      SpendLimits limits,
      Clock clock) {
    return new UsageService(ledger, board, tenants, limits, clock);
  }

  @Bean
  BillingProjector billingProjector(
      LedgerProjection projection,
      SpendLimits limits,
      BillingProperties props,
      MeterRegistry registry) {
    BillingProjector projector = new BillingProjector(projection, limits, props.projectInterval());
    Gauge.builder("zeroscale.billing.projector.lag", projector, BillingProjector::lagSeconds)
        .description("Seconds since the billing projector last brought the ledger up to date")
        .baseUnit("seconds")
        .register(registry);
    return projector;
  }

  @Bean
  BudgetMirror budgetMirror(
      RedissonClient redisson,
      JsonMapper json,
      HardwareCatalog catalog,
      Clock clock,
      BillingProperties props,
      MeterRegistry registry) {
    BudgetMirror mirror = new BudgetMirror(redisson, json, catalog, clock, props.budgetRefresh());
    Counter refused = budgetRefused(registry, "wakeup");
    mirror.onRefused(refused::increment);
    return mirror;
  }

  @Bean
  SettingsService settingsService(
      BillingTenants tenants,
      SettingsStore store,
      SpendLimits limits,
      ReactiveTransactionManager transactionManager,
      Clock clock) {
    return new SettingsService(
        tenants, store, limits, TransactionalOperator.create(transactionManager), clock);
  }

  @Bean
  BillingController billingController(
      InvoiceService invoices, UsageService usage, SettingsService settings, Clock clock) {
    return new BillingController(invoices, usage, settings, clock);
  }

  /**
   * The activator's spend-limit check: reservations in PostgreSQL, reached limits from the mirror,
   * and the fail-open rule of {@link FailOpenBudgetPort} around both.
   */
  @Bean
  BudgetPort budgetPort(SpendLimits limits, BudgetMirror budgets, MeterRegistry registry) {
    Counter failedOpen =
        Counter.builder("zeroscale.failopen")
            .description("Checks skipped (let through) because a dependency did not answer")
            .tag("dependency", "postgresql")
            .tag("path", "budget")
            .register(registry);
    return new CountedBudgetPort(
        new FailOpenBudgetPort(
            new SpendLimitBudgetPort(limits, budgets),
            tenant -> budgets.budget(tenant).isPresent(),
            failedOpen::increment),
        budgetRefused(registry, "boot")::increment);
  }

  /**
   * Refusals because of a tenant's spend limit: a cold request's wake-up (402, {@code wakeup}) or
   * the activator's reservation of a boot ({@code boot}).
   */
  private static Counter budgetRefused(MeterRegistry registry, String stage) {
    return Counter.builder("zeroscale.budget.refused")
        .description("Wake-ups and boots refused because of the tenant's spend limit")
        .tag("stage", stage)
        .register(registry);
  }

  /** The activator's lifecycle events, the ledger's input ({@code instance_events}). */
  @Bean
  EventLog eventLog(DatabaseClient db) {
    return new R2dbcEventLog(db);
  }

  /** The activator's heartbeats ({@code instance_heartbeats}). */
  @Bean
  HeartbeatLog heartbeatLog(DatabaseClient db) {
    return new R2dbcHeartbeatLog(db);
  }
}
