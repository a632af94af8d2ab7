package io.zeroscale.autoscaler;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.zeroscale.autoscaler.loop.Autoscaler;
import io.zeroscale.autoscaler.loop.EngineMetrics;
import io.zeroscale.autoscaler.loop.HttpEngineMetrics;
import io.zeroscale.autoscaler.loop.RedisScalingStore;
import io.zeroscale.autoscaler.loop.ScalingMetrics;
import java.time.Clock;
import org.redisson.api.RedissonClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The autoscaler's wiring: the Redis store, the optional engine-metrics signal, the gauges and the
 * leader-elected loop. The host application provides a {@link RedissonClient} and a {@link Clock}
 * (and a {@link MeterRegistry} for the gauges, when it has one). {@code
 * zeroscale.autoscaler.enabled=false} leaves it out.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AutoscalerProperties.class)
@ConditionalOnProperty(
    name = "zeroscale.autoscaler.enabled",
    havingValue = "true",
    matchIfMissing = true)
public class AutoscalerConfiguration {

  @Bean
  Autoscaler autoscaler(
      AutoscalerProperties props,
      RedissonClient redisson,
      ObjectProvider<MeterRegistry> registry,
      ObjectProvider<Tracer> tracer,
      Clock clock) {
    EngineMetrics engines =
        props.engineMetrics()
            ? new HttpEngineMetrics(props.engineMetricsTimeout())
            : EngineMetrics.NONE;
    MeterRegistry meters = registry.getIfAvailable();
    Autoscaler autoscaler =
        new Autoscaler(
                new RedisScalingStore(
                    redisson.reactive(), JsonMapper.builder().build(), props.eventsKept()),
                engines,
                meters == null ? ScalingMetrics.NONE : new ScalingMetrics(meters),
                new Autoscaler.Knobs(
                    props.tick(),
                    props.leaseTtl(),
                    props.panicWindow(),
                    props.panicThreshold(),
                    props.maxScaleUpRate(),
                    props.maxScaleDownRate(),
                    props.scaleDownTolerance()),
                clock)
            .traced(tracer.getIfAvailable(() -> Tracer.NOOP));
    if (meters != null) {
      Gauge.builder("zeroscale.autoscaler.leader", autoscaler, a -> a.isLeader() ? 1 : 0)
          .description("1 while this autoscaler holds the leader lease")
          .register(meters);
    }
    return autoscaler;
  }
}
