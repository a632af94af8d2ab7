package io.zeroscale.activator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/**
 * The activator's wiring. Today it binds and validates the process runtime's settings at start-up
 * (a bad value stops the app with a message naming the property); the runtime itself, readiness
 * probing and draining arrive with the scale-from-zero work.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ProcessRuntimeProperties.class)
public class ActivatorConfiguration {

  private static final Logger log = LoggerFactory.getLogger(ActivatorConfiguration.class);

  public ActivatorConfiguration(ProcessRuntimeProperties process) {
    log.info(
        "Activator: process runtime with {} GPUs per type, simulator flags {}",
        process.gpus(),
        process.sim().flags());
  }
}
