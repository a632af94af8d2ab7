package io.zeroscale.activator;

import io.zeroscale.activator.reconcile.ActivatorPolicy;
import io.zeroscale.api.Checks;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The activator's settings ({@code zeroscale.activator.*}).
 *
 * @param enabled run the activator in this JVM (a gateway-only replica sets false)
 * @param runtime where instances run: {@code process} or {@code kubernetes} (any other value fails
 *     binding at start-up, naming the property and the value)
 * @param tick how often the leader reconciles (wake-ups and changes also trigger a pass at once)
 * @param leaseTtl leader lease; another activator takes over within this time after a crash
 * @param failureLimit consecutive boot failures after which the deployment is {@code failed}
 * @param backoff first retry delay after a boot failure, doubled per failure up to 30 s
 * @param failureCooldown after this, a wake-up of a {@code failed} deployment tries again
 * @param drainSettle how long a draining instance is left before its in-flight count is trusted
 *     (gateways learn of the drain by pub/sub within milliseconds; this covers a lease granted in
 *     the same instant)
 * @param drainTimeout stop a draining instance after this even if requests remain
 * @param healthFailures consecutive failed {@code /health} probes after which a ready instance is
 *     taken out and replaced
 * @param probeTimeout timeout of one health or metrics probe
 * @param shutdownDrain on shutdown, how long instances get to finish before they are stopped
 * @param missingGrace an instance whose deployment is missing from Redis is stopped only after this
 *     (Redis keeps nothing across a restart; the control plane republishes every 10 s)
 * @param stableAfter a crash within this of readiness counts as a boot failure; an instance ready
 *     this long clears its deployment's failure count
 * @param heartbeatEvery how often the leader writes heartbeats of the instances holding GPUs
 * @param budgetHold after a boot refused for the spend limit, the deployment launches nothing for
 *     this long
 * @param slowProbeLimit consecutive unanswered (timed out) probes after which a ready instance
 *     counts as hung (a busy engine answers late; dead ones fail after {@code health-failures})
 * @param statusResend a status report the published deployment has not caught up with is re-sent
 *     after this
 * @param idlePoll on shutdown, how often a draining instance is asked for its in-flight count
 * @param bootPoll while an instance boots, passes run this often
 */
@ConfigurationProperties("zeroscale.activator")
public record ActivatorProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("process") RuntimeKind runtime,
    @DefaultValue("1s") Duration tick,
    @DefaultValue("10s") Duration leaseTtl,
    @DefaultValue("3") int failureLimit,
    @DefaultValue("1s") Duration backoff,
    @DefaultValue("60s") Duration failureCooldown,
    @DefaultValue("2s") Duration drainSettle,
    @DefaultValue("120s") Duration drainTimeout,
    @DefaultValue("3") int healthFailures,
    @DefaultValue("1s") Duration probeTimeout,
    @DefaultValue("20s") Duration shutdownDrain,
    @DefaultValue("60s") Duration missingGrace,
    @DefaultValue("60s") Duration stableAfter,
    @DefaultValue("15s") Duration heartbeatEvery,
    @DefaultValue("30s") Duration budgetHold,
    @DefaultValue("30") int slowProbeLimit,
    @DefaultValue("5s") Duration statusResend,
    @DefaultValue("250ms") Duration idlePoll,
    @DefaultValue("50ms") Duration bootPoll) {

  private static final Checks CHECKS = new Checks("zeroscale.activator.");

  public ActivatorProperties {
    CHECKS.check(runtime != null, "runtime", null, "must be process or kubernetes");
    CHECKS.leaderLoop(tick, leaseTtl);
    CHECKS.atLeastOne("failure-limit", failureLimit);
    CHECKS.atLeastOne("health-failures", healthFailures);
    CHECKS.positive("backoff", backoff);
    CHECKS.positive("probe-timeout", probeTimeout);
    CHECKS.nonNegative("failure-cooldown", failureCooldown);
    CHECKS.nonNegative("drain-settle", drainSettle);
    CHECKS.nonNegative("drain-timeout", drainTimeout);
    CHECKS.nonNegative("shutdown-drain", shutdownDrain);
    CHECKS.atLeastOne("slow-probe-limit", slowProbeLimit);
    CHECKS.nonNegative("missing-grace", missingGrace);
    CHECKS.nonNegative("stable-after", stableAfter);
    CHECKS.positive("heartbeat-every", heartbeatEvery);
    CHECKS.nonNegative("budget-hold", budgetHold);
    CHECKS.nonNegative("status-resend", statusResend);
    CHECKS.positive("idle-poll", idlePoll);
    CHECKS.positive("boot-poll", bootPoll);
  }

  /** The loop's policy; the stop grace is the runtime's ({@code zeroscale.runtime.*}). */
  public ActivatorPolicy policy(Duration stopGrace) {
    return new ActivatorPolicy(
        tick,
        leaseTtl,
        failureLimit,
        backoff,
        failureCooldown,
        drainSettle,
        drainTimeout,
        stopGrace,
        healthFailures,
        shutdownDrain,
        missingGrace,
        stableAfter,
        heartbeatEvery,
        budgetHold,
        slowProbeLimit,
        statusResend,
        idlePoll,
        bootPoll);
  }

  /** The runtimes an activator can run instances on. */
  public enum RuntimeKind {
    /** Local processes from a command template (the engine simulator by default). */
    PROCESS,
    /** One pod per instance through the Kubernetes API. */
    KUBERNETES
  }
}
