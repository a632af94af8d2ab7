package io.zeroscale.autoscaler;

import io.zeroscale.api.Checks;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The autoscaler's platform settings ({@code zeroscale.autoscaler.*}, SPEC §6). Target utilization,
 * stable window, scale-to-zero delay, bounds and billing-awareness are per deployment ({@code
 * settings}); these are the knobs around them.
 *
 * @param enabled run the autoscaler in this JVM
 * @param tick how often demand is sampled and a decision made (SPEC: every 1-2 s)
 * @param leaseTtl leader lease; a standby takes over within this time after the leader dies
 * @param panicWindow short window used to detect bursts (capped at a deployment's stable window)
 * @param panicThreshold demand ÷ target capacity that starts panic mode (2.0 = twice capacity)
 * @param maxScaleUpRate at most this × the current instances per decision
 * @param maxScaleDownRate at least the current instances ÷ this per decision
 * @param scaleDownTolerance scale down only once demand is this share below the lower level
 * @param engineMetrics also scrape the instances' {@code /metrics} (vLLM running + waiting)
 * @param engineMetricsTimeout timeout of one scrape
 * @param eventsKept decisions kept per deployment for {@code GET …/events}
 */
@ConfigurationProperties("zeroscale.autoscaler")
public record AutoscalerProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("1s") Duration tick,
    @DefaultValue("10s") Duration leaseTtl,
    @DefaultValue("6s") Duration panicWindow,
    @DefaultValue("2.0") double panicThreshold,
    @DefaultValue("1000") double maxScaleUpRate,
    @DefaultValue("2") double maxScaleDownRate,
    @DefaultValue("0.1") double scaleDownTolerance,
    @DefaultValue("false") boolean engineMetrics,
    @DefaultValue("500ms") Duration engineMetricsTimeout,
    @DefaultValue("100") int eventsKept) {

  private static final Checks CHECKS = new Checks("zeroscale.autoscaler.");

  public AutoscalerProperties {
    CHECKS.leaderLoop(tick, leaseTtl);
    CHECKS.positive("panic-window", panicWindow);
    CHECKS.positive("engine-metrics-timeout", engineMetricsTimeout);
    CHECKS.notOver("engine-metrics-timeout", engineMetricsTimeout, tick, "the tick");
    CHECKS.moreThanOne("panic-threshold", panicThreshold);
    CHECKS.moreThanOne("max-scale-up-rate", maxScaleUpRate);
    CHECKS.moreThanOne("max-scale-down-rate", maxScaleDownRate);
    CHECKS.fractionBelowOne("scale-down-tolerance", scaleDownTolerance);
    CHECKS.check(
        eventsKept >= 1 && eventsKept <= 10_000,
        "events-kept",
        eventsKept,
        "must be between 1 and 10000");
  }
}
