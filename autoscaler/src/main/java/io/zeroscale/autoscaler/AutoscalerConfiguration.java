package io.zeroscale.autoscaler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/**
 * The autoscaler's wiring. Today it binds and validates the fleet-wide policy defaults at start-up;
 * the decider and its leader-elected loop arrive with the autoscaling work.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AutoscalerProperties.class)
public class AutoscalerConfiguration {

  private static final Logger log = LoggerFactory.getLogger(AutoscalerConfiguration.class);

  public AutoscalerConfiguration(AutoscalerProperties properties) {
    log.info(
        "Autoscaler defaults: target utilization {}, stable window {}, panic window {}, scale to"
            + " zero after {}",
        properties.targetUtilization(),
        properties.stableWindow(),
        properties.panicWindow(),
        properties.scaleToZeroAfter());
  }
}
