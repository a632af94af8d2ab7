package io.zeroscale.activator.loop;

import io.zeroscale.activator.core.BudgetPort;
import io.zeroscale.activator.core.DeploymentStatusPort;
import io.zeroscale.activator.events.LifecycleEvent;
import io.zeroscale.activator.reconcile.ActivatorPolicy;
import io.zeroscale.activator.reconcile.BootFailures;
import io.zeroscale.activator.reconcile.BudgetGate;
import io.zeroscale.activator.reconcile.Reconcile;
import io.zeroscale.activator.runtime.EngineKeys;
import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.activator.runtime.Launch;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Decides per deployment ({@link Reconcile}, behind the {@link BudgetGate}) and applies it:
 * wake-ups, launches (the spend limit reserves the first hour first), drains, stops and status
 * reports.
 */
final class Deciding {

  private static final Logger log = LoggerFactory.getLogger(Deciding.class);

  /** What the tenant sees of a launch the runtime refused (its error goes to the log only). */
  static final String LAUNCH_REFUSED = "cannot start the instance (the runtime refused the launch)";

  private final Parts parts;
  private final ActivatorPolicy policy;
  private final Fleet fleet;
  private final Ports ports;
  private final InstanceTracking tracking;
  private final Stopping stopping;

  /** The ports only decisions use. */
  record Ports(
      ActivatorStore store, BudgetPort budget, DeploymentStatusPort status, WakeUps wakeUps) {}

  /**
   * A launch's answer: the runtime's result, or the error it failed with, or the spend limit's
   * refusal (then nothing was launched; empty: billing or the credentials were unreachable).
   */
  record LaunchOutcome(Tracked t, Launch result, Throwable error, String refused) {}

  Deciding(Parts parts, Ports ports, InstanceTracking tracking, Stopping stopping) {
    this.parts = parts;
    this.policy = parts.policy();
    this.fleet = parts.fleet();
    this.ports = ports;
    this.tracking = tracking;
    this.stopping = stopping;
  }

  /** Wake-ups: raise desired from zero, and give a failed deployment a new try after cooldown. */
  void wakeUps(
      Map<String, DeploymentSpec> specs, Map<String, Integer> desired, Instant now, Writes io) {
    for (String deploymentId : ports.wakeUps().take()) {
      DeploymentSpec spec = specs.get(deploymentId);
      if (spec == null || spec.status() == DeploymentStatus.DELETING) {
        continue;
      }
      BootFailures f = fleet.failures(spec);
      if (f.failed()) {
        if (f.coolingDown(now, policy)) {
          continue;
        }
        log.info("Retrying failed deployment {} after a wake-up", spec.fullName());
        fleet.failures.remove(deploymentId);
      }
      int floor =
          Math.min(Math.max(1, spec.settings().minInstances()), spec.settings().maxInstances());
      if (desired.getOrDefault(deploymentId, 0) < floor) {
        desired.put(deploymentId, floor);
        io.add(ports.store().wake(deploymentId, floor, now).then());
      }
    }
  }

  /** Decides every deployment and applies drains and stops; answers the launches to run. */
  List<Mono<LaunchOutcome>> decideAll(
      Map<String, DeploymentSpec> specs, Map<String, Integer> desired, Instant now, Writes io) {
    Map<String, List<Tracked>> byDeployment = fleet.byDeployment();
    // Instances of deployments that vanished (finalized or removed): stop them.
    for (var e : byDeployment.entrySet()) {
      if (fleet.goneForGood(e.getKey(), specs, now)) {
        e.getValue().forEach(t -> stopping.drainOrStop(t, now, io));
      }
    }
    fleet.retain(specs);
    List<Mono<LaunchOutcome>> launches = new ArrayList<>();
    for (DeploymentSpec spec : specs.values()) {
      List<Tracked> mine = byDeployment.getOrDefault(spec.id(), List.of());
      decide(spec, mine, desired, now, io, launches);
    }
    return launches;
  }

  private void decide(
      DeploymentSpec spec,
      List<Tracked> mine,
      Map<String, Integer> desired,
      Instant now,
      Writes io,
      List<Mono<LaunchOutcome>> launches) {
    BootFailures f = fleet.failures(spec);
    BudgetGate.Hold hold = fleet.budgetHolds.get(spec.id());
    if (hold != null && !hold.active(now)) {
      fleet.budgetHolds.remove(spec.id());
      hold = null;
    }
    String broke = BudgetGate.reason(hold, now, () -> ports.budget().exhausted(spec.tenantId()));
    Reconcile.Decision d =
        Reconcile.decide(
            new Reconcile.Input(
                broke != null ? 0 : spec.settings().minInstances(),
                spec.settings().maxInstances(),
                spec.status() == DeploymentStatus.DELETING,
                // No entry means "not decided" (none yet, or Redis restarted empty), not zero:
                // keep what runs. An explicit 0 scales to zero.
                broke != null ? 0 : desired.getOrDefault(spec.id(), running(spec, mine)),
                new Reconcile.Revision(spec.revision(), spec.gpu(), spec.surge()),
                mine.stream().map(Tracked::view).toList(),
                f.count(),
                policy.failureLimit(),
                f.reason(),
                f.nextLaunchAt(),
                fleet.capacity.get(spec.id()),
                now));
    if (broke != null) {
      d = BudgetGate.apply(d, broke, hold != null);
    }
    for (String victim : d.drain()) {
      stopping.drainOrStop(fleet.tracked.get(victim), now, io);
    }
    for (String victim : d.stop()) {
      stopping.stop(fleet.tracked.get(victim), now, io);
    }
    for (Tracked t : mine) {
      if (broke == null && t.phase == Phase.PENDING && !t.launched && !d.stop().contains(t.id)) {
        launches.add(launch(t));
      }
    }
    for (int i = 0; i < d.launch(); i++) {
      Tracked t = new Tracked(newInstanceId(spec), spec, Phase.PENDING, now);
      t.engineKey = EngineKeys.generate();
      fleet.tracked.put(t.id, t);
      parts.events().add(t, LifecycleEvent.Type.REQUESTED, now, null);
      launches.add(launch(t));
    }
    fleet.targets.put(spec.id(), d.target());
    report(spec, d, now, io);
    reportRollout(spec, d, f, io);
    if (spec.status() == DeploymentStatus.DELETING && mine.isEmpty() && d.launch() == 0) {
      // What the runtime keeps per deployment (a tenant-token Secret) goes first: a failed
      // release leaves the deletion unfinished, and the next pass tries both again.
      io.add(parts.runtime().release(spec.id()).then(ports.status().finalizeDeleted(spec.id())));
    }
  }

  /**
   * Replicas to keep when nothing asked for any (none decided yet, or Redis restarted empty): the
   * instances that serve or boot, counting the ones a rollout replaces once (2 old ready and 1 new
   * booting during a rollout are 2 replicas, not 3).
   */
  private static int running(DeploymentSpec spec, List<Tracked> mine) {
    int fresh = 0;
    int old = 0;
    for (Tracked t : mine) {
      if (t.revision == spec.revision() && t.phase.active()) {
        fresh++;
      } else if (t.revision != spec.revision() && t.phase == Phase.READY) {
        old++;
      }
    }
    return Math.max(fresh, old);
  }

  /**
   * Tells the control plane that the rollout to the published revision ended, once per revision
   * (per leader; the control plane takes it again without harm): succeeded when no instance of
   * another revision is left, failed when the revision's boots failed while old instances serve.
   * Whichever comes first stands: a revision that was reported active at zero and then fails to
   * boot makes the deployment {@code failed} as any deployment would, without a rollback.
   */
  private void reportRollout(DeploymentSpec spec, Reconcile.Decision d, BootFailures f, Writes io) {
    if (d.rollout() == null
        || d.rollout() == Reconcile.Rollout.ROLLING
        || spec.status() == DeploymentStatus.DELETING) {
      return;
    }
    int revision = spec.revision();
    Integer last = fleet.rolloutsEnded.put(spec.id(), revision);
    if (last != null && last == revision) {
      return;
    }
    boolean ok = d.rollout() == Reconcile.Rollout.DONE;
    String reason = ok ? null : f.reason();
    if (ok) {
      log.info("Deployment {}: revision {} rolled out", spec.fullName(), revision);
    } else {
      log.warn(
          "Deployment {}: revision {} failed, the earlier revision keeps serving: {}",
          spec.fullName(),
          revision,
          reason);
    }
    io.add(
        ports
            .status()
            .rolloutEnded(spec.id(), revision, ok, reason)
            .doOnError(e -> fleet.rolloutsEnded.remove(spec.id(), revision)));
  }

  private Mono<LaunchOutcome> launch(Tracked t) {
    // The credentials are read first: when Redis cannot say, nothing is reserved or started.
    return token(t)
        .flatMap(token -> reserveAndStart(t, token))
        .switchIfEmpty(Mono.fromSupplier(() -> new LaunchOutcome(t, null, null, "")));
  }

  private Mono<LaunchOutcome> reserveAndStart(Tracked t, Credentials.Token token) {
    // The first hour is billed at start: it must fit in the tenant's budget before anything boots.
    return ports
        .budget()
        .reserve(t.spec.tenantId(), t.spec.id(), t.id, t.gpu(), t.numGpus())
        .onErrorResume(
            e -> {
              // Billing unreachable: the boot waits for the next pass rather than risk the limit.
              log.warn("Cannot check the spend limit for {}: {}", t.spec.fullName(), e.toString());
              return Mono.just(BudgetPort.Answer.refused(null));
            })
        .flatMap(
            answer ->
                answer.allowed()
                    ? start(t, token)
                    : Mono.just(
                        new LaunchOutcome(
                            t, null, null, answer.reason() == null ? "" : answer.reason())));
  }

  /**
   * The HF token the instance gets, from the deployment's credentials entry (none without one). A
   * store that cannot answer answers nothing: the boot waits for the next pass (as when billing
   * cannot be reached) rather than start without the tenant's token.
   */
  private Mono<Credentials.Token> token(Tracked t) {
    return ports
        .store()
        .token(t.spec.id())
        .defaultIfEmpty(Credentials.Token.NONE)
        .onErrorResume(
            e -> {
              log.warn("Cannot read the credentials of {}: {}", t.spec.fullName(), e.toString());
              return Mono.empty();
            });
  }

  private Mono<LaunchOutcome> start(Tracked t, Credentials.Token token) {
    return parts
        .runtime()
        .launch(
            new InstancePlan(
                t.id, t.runSpec(), t.engineKey, token.hfToken(), token.platformToken(), token.s3()))
        .map(result -> new LaunchOutcome(t, result, null, null))
        .onErrorResume(e -> Mono.just(new LaunchOutcome(t, null, e, null)));
  }

  /** Applies a launch's answer (all of them after the launches, so the pass is the one writer). */
  void applyLaunch(LaunchOutcome o, Instant now, Writes io) {
    Tracked t = o.t();
    if (fleet.tracked.get(t.id) != t) {
      return;
    }
    if (o.refused() != null) {
      budgetRefused(t, o.refused(), now, io);
      return;
    }
    if (o.error() != null) {
      // The runtime's error may carry API bodies, internal addresses and class names: the log
      // has it, the tenant's events and reason do not (SPEC §11).
      log.warn(
          "Deployment {}: the runtime refused to launch {}", t.spec.fullName(), t.id, o.error());
      tracking.bootFailed(t, LAUNCH_REFUSED, now, io);
      return;
    }
    switch (o.result()) {
      case Launch.Accepted a -> {
        t.launched = true;
        fleet.capacity.remove(t.spec.id());
      }
      case Launch.NoCapacity n -> {
        if (!n.reason().equals(fleet.capacity.put(t.spec.id(), n.reason()))) {
          log.warn("Deployment {} waits: {}", t.spec.fullName(), n.reason());
        }
      }
    }
  }

  /** The spend limit refused the boot: forget the instance, hold the deployment, desired 0. */
  private void budgetRefused(Tracked t, String reason, Instant now, Writes io) {
    if (reason.isEmpty()) {
      return; // billing unreachable: stays pending, tried again next pass
    }
    log.warn("Deployment {} not started: {}", t.spec.fullName(), reason);
    fleet.tracked.remove(t.id);
    parts.events().add(t, LifecycleEvent.Type.FAILED, now, reason);
    parts.events().add(t, LifecycleEvent.Type.STOPPED, now, null);
    fleet.budgetHolds.put(t.spec.id(), BudgetGate.Hold.after(reason, now, policy));
    io.add(ports.store().setDesired(t.spec.id(), 0, "spend limit reached", now));
  }

  /** Tells the control plane a status that differs from what the published spec says. */
  private void report(DeploymentSpec spec, Reconcile.Decision d, Instant now, Writes io) {
    if (d.status() == null || spec.status() == DeploymentStatus.DELETING) {
      return;
    }
    boolean same =
        d.status() == spec.status()
            && (Objects.equals(d.reason(), spec.reason())
                || (d.reason() == null && rolloutReason(spec.reason())));
    Fleet.Reported last = fleet.reported.get(spec.id());
    if (same) {
      fleet.reported.remove(spec.id());
      return;
    }
    // Re-sent only if the publication has not caught up after statusResend.
    if (last != null
        && last.status() == d.status()
        && Objects.equals(last.reason(), d.reason())
        && now.isBefore(last.at().plus(policy.statusResend()))) {
      return;
    }
    fleet.reported.put(spec.id(), new Fleet.Reported(d.status(), d.reason(), now));
    log.info(
        "Deployment {}: {}{}",
        spec.fullName(),
        d.status().wire(),
        d.reason() == null ? "" : " (" + d.reason() + ")");
    io.add(ports.status().report(spec.id(), d.status(), d.reason()));
  }

  /**
   * Whether {@code reason} is the control plane's own after an automatic rollback ({@code "revision
   * 3 failed: …; serving revision 2"}): it stays until the tenant's next change, so the activator,
   * which sets reasons only for {@code failed} and {@code pending}, neither clears it nor reports
   * again and again that the deployment runs without one.
   */
  static boolean rolloutReason(String reason) {
    return reason != null && reason.startsWith("revision ") && reason.contains(" failed");
  }

  private static String newInstanceId(DeploymentSpec spec) {
    String dep = spec.id().replace("-", "");
    return dep.substring(0, Math.min(8, dep.length()))
        + "-"
        + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }
}
