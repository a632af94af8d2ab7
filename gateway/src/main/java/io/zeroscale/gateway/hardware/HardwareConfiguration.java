package io.zeroscale.gateway.hardware;

import io.zeroscale.gateway.model.ModelService;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wiring of the hardware catalog ({@code zeroscale.hardware.gpus}) and its API. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(HardwareProperties.class)
public class HardwareConfiguration {

  /** The one catalog: deployments validate against it, billing will price instances from it. */
  @Bean
  HardwareCatalog hardwareCatalog(HardwareProperties properties) {
    return properties.catalog();
  }

  @Bean
  HardwareController hardwareController(HardwareCatalog catalog, ModelService models) {
    return new HardwareController(catalog, models);
  }
}
