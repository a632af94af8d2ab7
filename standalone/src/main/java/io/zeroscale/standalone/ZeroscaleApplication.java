package io.zeroscale.standalone;

import io.zeroscale.activator.ActivatorConfiguration;
import io.zeroscale.autoscaler.AutoscalerConfiguration;
import io.zeroscale.billing.BillingConfiguration;
import io.zeroscale.gateway.GatewayConfiguration;
import io.zeroscale.gateway.console.ConsoleConfiguration;
import io.zeroscale.gateway.deployment.DeploymentConfiguration;
import io.zeroscale.gateway.hardware.HardwareConfiguration;
import io.zeroscale.gateway.model.ModelConfiguration;
import io.zeroscale.gateway.ratelimit.RateLimitConfiguration;
import io.zeroscale.gateway.routing.RoutingConfiguration;
import io.zeroscale.gateway.web.ServerConfiguration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * The standalone system: gateway, billing, activator and autoscaler in one JVM.
 *
 * <p>Shutdown order matters, so we own the JVM shutdown hook instead of Spring's: on SIGTERM the
 * application context closes first (the gateway drains, the activator stops the instances it
 * started, connection pools close), and only then do the embedded Redis and PostgreSQL stop. With
 * separate hooks the JVM would run them concurrently and the database could vanish under a closing
 * pool.
 */
@SpringBootApplication
@Import({
  GatewayConfiguration.class,
  ConsoleConfiguration.class,
  ServerConfiguration.class,
  HardwareConfiguration.class,
  ModelConfiguration.class,
  DeploymentConfiguration.class,
  RateLimitConfiguration.class,
  RoutingConfiguration.class,
  BillingConfiguration.class,
  ActivatorConfiguration.class,
  AutoscalerConfiguration.class,
  StandaloneConfiguration.class
})
public class ZeroscaleApplication {

  private static final Logger log = LoggerFactory.getLogger(ZeroscaleApplication.class);

  public static void main(String[] args) {
    try {
      start(args);
    } catch (RuntimeException e) {
      log.error("Zeroscale failed to start", e);
      System.exit(1);
    }
  }

  /** Starts the system and registers the ordered shutdown; answers the running context. */
  public static ConfigurableApplicationContext start(String... args) {
    EmbeddedInfrastructure.Factory infrastructure = new EmbeddedInfrastructure.Factory();
    AtomicReference<ConfigurableApplicationContext> context = new AtomicReference<>();
    SpringApplication app = new SpringApplication(ZeroscaleApplication.class);
    app.setRegisterShutdownHook(false);
    app.addListeners(new InfrastructureInitializer(infrastructure));
    app.addListeners(new ContextCapture(context));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> stop(context.get(), infrastructure), "zeroscale-shutdown"));
    try {
      return app.run(args);
    } catch (RuntimeException e) {
      infrastructure.close();
      throw e;
    }
  }

  /** Remembers the context as soon as it exists, so a SIGTERM during start-up still closes it. */
  private record ContextCapture(AtomicReference<ConfigurableApplicationContext> context)
      implements ApplicationListener<ApplicationPreparedEvent> {
    @Override
    public void onApplicationEvent(ApplicationPreparedEvent event) {
      context.set(event.getApplicationContext());
    }
  }

  static void stop(ConfigurableApplicationContext context, AutoCloseable infrastructure) {
    try {
      if (context != null && context.isActive()) {
        context.close();
      }
    } finally {
      try {
        infrastructure.close();
      } catch (Exception e) {
        log.warn("Embedded servers did not stop cleanly", e);
      }
    }
  }
}
