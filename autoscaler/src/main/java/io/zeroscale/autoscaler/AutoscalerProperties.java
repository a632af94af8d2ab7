package io.zeroscale.autoscaler;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Fleet-wide autoscaler defaults ({@code zeroscale.autoscaler.*}, SPEC §6); each deployment may
 * override the policy values in its settings.
 *
 * @param tick how often demand is sampled and a decision made (SPEC: every 1-2 s)
 * @param targetUtilization share of {@code max_batch_size} to aim for, in (0, 1]
 * @param stableWindow window over which demand is averaged for normal scaling
 * @param panicWindow short window used to detect bursts
 * @param panicThreshold demand / capacity ratio that starts panic mode (2.0 = twice capacity)
 * @param scaleToZeroAfter idle time after which a deployment with min 0 goes to zero
 */
@ConfigurationProperties("zeroscale.autoscaler")
public record AutoscalerProperties(
    @DefaultValue("2s") Duration tick,
    @DefaultValue("0.7") double targetUtilization,
    @DefaultValue("60s") Duration stableWindow,
    @DefaultValue("6s") Duration panicWindow,
    @DefaultValue("2.0") double panicThreshold,
    @DefaultValue("300s") Duration scaleToZeroAfter) {

  public AutoscalerProperties {
    requirePositive("tick", tick);
    requirePositive("stable-window", stableWindow);
    requirePositive("panic-window", panicWindow);
    requirePositive("scale-to-zero-after", scaleToZeroAfter);
    if (!(targetUtilization > 0 && targetUtilization <= 1)) {
      throw new IllegalArgumentException(
          "zeroscale.autoscaler.target-utilization must be in (0, 1], got " + targetUtilization);
    }
    if (!(panicThreshold > 1)) {
      throw new IllegalArgumentException(
          "zeroscale.autoscaler.panic-threshold must be > 1, got " + panicThreshold);
    }
    if (panicWindow.compareTo(stableWindow) > 0) {
      throw new IllegalArgumentException(
          "zeroscale.autoscaler.panic-window ("
              + panicWindow
              + ") must not be longer than stable-window ("
              + stableWindow
              + ")");
    }
  }

  private static void requirePositive(String name, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(
          "zeroscale.autoscaler." + name + " must be a positive duration, got " + value);
    }
  }
}
