package io.zeroscale.gateway.deployment;

import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.deployment.DeploymentStore.LockedTenant;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.hardware.GpuType;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.model.Model;
import io.zeroscale.gateway.model.ModelService;
import io.zeroscale.gateway.model.hub.HubLookup;
import io.zeroscale.gateway.web.InputBounds;
import io.zeroscale.gateway.web.JsonBody;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * The writes of {@link DeploymentService} that change what a deployment runs (issue #19): a PATCH
 * (settings live; model, hardware or engine options as a new revision), a rollback, and the end of
 * a rollout the activator reports. Every method here runs inside the caller's transaction, after
 * the tenant's row was locked ({@link DeploymentStore#lockTenant}); publication is the caller's.
 */
final class DeploymentChanges {

  private static final Logger log = LoggerFactory.getLogger(DeploymentChanges.class);

  private final DeploymentStore store;
  private final ModelService models;
  private final HardwareCatalog catalog;
  private final DeploymentLiveState live;
  private final Clock clock;

  DeploymentChanges(
      DeploymentStore store,
      ModelService models,
      HardwareCatalog catalog,
      DeploymentLiveState live,
      Clock clock) {
    this.store = store;
    this.models = models;
    this.catalog = catalog;
    this.live = live;
    this.clock = clock;
  }

  /**
   * The hub lookup an inline model needs before the transaction (none for a library model, or for a
   * hub source the library already holds without a token of the request's own).
   */
  Mono<Optional<HubLookup>> hubLookup(UUID tenantId, ModelRef ref) {
    return switch (ref) {
      case null -> Mono.just(Optional.empty());
      case ModelRef.Library l -> Mono.just(Optional.empty());
      // Always imported anew, with its access sealed (issue #20).
      case ModelRef.S3 s ->
          models
              .lookupS3(tenantId, new ModelService.S3Import(s.source(), s.access()))
              .map(Optional::of);
      // With a token of its own, the inline model is imported anew (sealed with it).
      case ModelRef.Hub h when h.hfToken() != null ->
          models.lookupForImport(tenantId, h.source(), h.hfToken()).map(Optional::of);
      case ModelRef.Hub h ->
          models
              .findDeployableBySource(tenantId, h.source())
              .map(m -> Optional.<HubLookup>empty())
              .switchIfEmpty(
                  Mono.defer(() -> models.lookupForImport(tenantId, h.source()).map(Optional::of)));
    };
  }

  /**
   * The library model {@code ref} names: found (422 {@code model_not_found} when it is not), or
   * imported from the hub with the lookup made before the transaction.
   */
  Mono<Model> model(
      UUID tenantId, ModelRef ref, HubLookup lookup, Family family, String modelName) {
    return switch (ref) {
      case ModelRef.Library l ->
          models
              .find(tenantId, l.ref())
              .switchIfEmpty(
                  Mono.error(
                      () ->
                          new Violation(
                                  "model",
                                  "No model '" + l.ref() + "' in your library.",
                                  "model_not_found")
                              .toException()));
      case ModelRef.S3 s ->
          models.importS3ForDeployment(
              tenantId,
              new ModelService.S3Import(s.source(), s.access()),
              family,
              modelName,
              lookup);
      case ModelRef.Hub h ->
          lookup == null
              ? models
                  .findDeployableBySource(tenantId, h.source())
                  .switchIfEmpty(Mono.error(() -> retry("the imported model disappeared")))
              : models.importForDeployment(
                  tenantId, h.source(), family, modelName, lookup, h.hfToken());
    };
  }

  /**
   * The engine options with a newly named draft model resolved to its pinned source: it must be a
   * deployable model of the tenant's library (422 on {@code engine.speculative.model} otherwise).
   */
  Mono<EngineOptions> engine(UUID tenantId, EngineRules.Requested engine) {
    if (engine.draft() == null) {
      return Mono.just(engine.options());
    }
    String ref = engine.draft().model();
    return models
        .find(tenantId, ref)
        .switchIfEmpty(
            Mono.error(
                () ->
                    new Violation(
                            "engine.speculative.model",
                            "No model '"
                                + InputBounds.echo(ref)
                                + "' in your library for the draft of speculative decoding;"
                                + " import it first (POST /api/v1/models).",
                            "model_not_found")
                        .toException()))
        .flatMap(
            m ->
                DeploymentRules.usable(m)
                    .<Mono<EngineOptions>>map(
                        v ->
                            Mono.error(
                                new Violation("engine.speculative.model", v.message(), v.code())
                                    .toException()))
                    .orElseGet(
                        () ->
                            Mono.just(
                                engine.resolved(
                                    DeploymentRules.pinnedSource(m.source(), m.sha())))));
  }

  /**
   * A write's outcome.
   *
   * @param changed whether anything changed (then it is published)
   * @param modelChanged whether the model changed (then the credentials entry is written first)
   */
  record Patched(Deployment deployment, boolean changed, boolean modelChanged) {}

  /**
   * A PATCH (or PUT) of {@code current}: the body read over the current values, the named model
   * found or imported, a draft model resolved; a change of what a revision fixes makes a new
   * revision ({@link #revisionLocked}), else only the settings change. 409 while it is deleted.
   *
   * @param lookup the hub lookup made before the transaction for an inline model, or null
   */
  Mono<Patched> patchLocked(
      LockedTenant t, Deployment current, JsonBody body, JsonNode model, HubLookup lookup) {
    if (current.status() == DeploymentStatus.DELETING) {
      return Mono.error(deleting(current));
    }
    DeploymentRequests.PatchRequest p = DeploymentRequests.patch(body, model, current, catalog);
    Mono<Optional<Model>> newModel =
        p.model() == null
            ? Mono.just(Optional.empty())
            : model(t.id(), p.model(), lookup, current.family(), current.modelName())
                .map(Optional::of);
    return Mono.zip(newModel, engine(t.id(), p.engine()))
        .flatMap(
            z -> {
              Optional<Model> m = z.getT1().filter(x -> !x.id().equals(current.modelId()));
              RevisionContent content =
                  new RevisionContent(
                      m.map(Model::id).orElse(current.modelId()),
                      m.map(Model::source).orElse(current.modelSource()),
                      p.gpu(),
                      p.numGpus(),
                      p.maxBatchSize(),
                      z.getT2());
              List<String> changed = content.changedFrom(current.content());
              if (changed.isEmpty()) {
                return settingsLocked(t, current, p.settings());
              }
              return revisionLocked(t, current, content, changed, p.settings(), m);
            });
  }

  /**
   * Writes new settings and {@code surge}, with the status the change implies ({@link
   * LiveState#afterSettingsChange}) given the live state; an unreachable Redis reads as none.
   */
  private Mono<Deployment> updateSettings(Deployment current, ScalingSettings merged, int surge) {
    return live.read(current.id())
        .onErrorReturn(LiveState.NONE)
        .flatMap(
            state ->
                store.updateSettings(
                    current.id(),
                    merged,
                    LiveState.afterSettingsChange(current.status(), merged.minInstances(), state),
                    surge,
                    now()));
  }

  /** A settings-only change (no revision): as before rollouts, with the surge re-checked. */
  private Mono<Patched> settingsLocked(LockedTenant t, Deployment current, ScalingSettings merged) {
    if (merged.equals(current.settings())) {
      return Mono.just(new Patched(current, false, false));
    }
    return Mono.zip(store.usedGpus(t.id(), current.id()), store.activeNumGpus(current.id()))
        .flatMap(
            z -> {
              long used = z.getT1();
              // During a rollout, the larger of both revisions' num_gpus: a failed rollout
              // returns to the active one with these settings.
              int numGpus = DeploymentRules.quotaNumGpus(current.numGpus(), z.getT2());
              long before = (long) current.settings().maxInstances() * numGpus;
              long after = (long) merged.maxInstances() * numGpus;
              if (after > before) {
                Optional<Violation> quota =
                    DeploymentRules.quota(t.gpuQuota(), used, merged.maxInstances(), numGpus);
                if (quota.isPresent()) {
                  return Mono.error(quota.get().toException());
                }
              }
              int surge =
                  DeploymentRules.surge(
                      t.gpuQuota(), used, merged.maxInstances(), numGpus, merged.maxSurge());
              return updateSettings(current, merged, surge);
            })
        .map(d -> new Patched(d, true, false));
  }

  /**
   * A new revision with {@code content} (and the merged settings): the model usable, the model
   * fitting the new hardware, the quota for max_instances × the new num_gpus (checked only when it
   * grows, as for settings), and the surge lowered to what the quota leaves.
   *
   * @param newModel the new model, empty when the model does not change
   */
  private Mono<Patched> revisionLocked(
      LockedTenant t,
      Deployment current,
      RevisionContent content,
      List<String> changed,
      ScalingSettings merged,
      Optional<Model> newModel) {
    Mono<Optional<Model>> fitModel =
        newModel.isPresent()
            ? Mono.just(newModel)
            : models
                .find(t.id(), current.modelId().toString())
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty());
    return fitModel.flatMap(
        fm -> {
          Optional<Violation> problem = newModel.flatMap(DeploymentRules::usable);
          if (problem.isEmpty()) {
            problem = newModel.flatMap(m -> DeploymentRules.sameFamily(m, current.family()));
          }
          if (problem.isEmpty() && fm.isPresent()) {
            GpuType gpu = catalog.find(content.gpu()).orElseThrow();
            problem = DeploymentRules.fit(fm.get(), gpu, content.numGpus());
          }
          if (problem.isPresent()) {
            return Mono.error(problem.get().toException());
          }
          return Mono.zip(store.usedGpus(t.id(), current.id()), store.activeNumGpus(current.id()))
              .flatMap(
                  z -> {
                    long used = z.getT1();
                    int active = z.getT2();
                    // The active revision stays active until this one has rolled out: the
                    // quota counts the larger of both.
                    int before = DeploymentRules.quotaNumGpus(current.numGpus(), active);
                    int numGpus = DeploymentRules.quotaNumGpus(content.numGpus(), active);
                    return quotaAndSurge(
                            t,
                            current,
                            used,
                            (long) current.settings().maxInstances() * before,
                            merged.maxInstances(),
                            numGpus)
                        .flatMap(
                            ok -> {
                              int surge =
                                  DeploymentRules.surge(
                                      t.gpuQuota(),
                                      used,
                                      merged.maxInstances(),
                                      numGpus,
                                      merged.maxSurge());
                              Mono<Deployment> settings =
                                  merged.equals(current.settings())
                                      ? Mono.just(current)
                                      : updateSettings(current, merged, surge);
                              return settings
                                  .then(nextRevision(current.id()))
                                  .flatMap(
                                      n ->
                                          store.newRevision(
                                              current.id(),
                                              n,
                                              content,
                                              changed,
                                              surge,
                                              fm.map(m -> DeploymentRules.warning(m).orElse(null))
                                                  .orElse(current.warning()),
                                              now()))
                                  .map(
                                      d ->
                                          new Patched(
                                              d,
                                              true,
                                              !content.modelId().equals(current.modelId())));
                            });
                  });
        });
  }

  /**
   * The quota for {@code maxInstances × numGpus} when it is more than the deployment holds now
   * ({@code before}; blamed on {@code num_gpus} when that is what grew); completes with true when
   * it fits.
   *
   * @param numGpus GPUs per instance the quota counts ({@link DeploymentRules#quotaNumGpus})
   */
  private Mono<Boolean> quotaAndSurge(
      LockedTenant t, Deployment current, long used, long before, int maxInstances, int numGpus) {
    long after = (long) maxInstances * numGpus;
    if (after <= before) {
      return Mono.just(true);
    }
    String param =
        maxInstances == current.settings().maxInstances()
            ? "num_gpus"
            : "settings." + SettingsRules.MAX_INSTANCES;
    return DeploymentRules.quota(t.gpuQuota(), used, maxInstances, numGpus, param)
        .<Mono<Boolean>>map(v -> Mono.error(v.toException()))
        .orElseGet(() -> Mono.just(true));
  }

  /** The number of the next revision: one above every revision the deployment has had. */
  private Mono<Integer> nextRevision(UUID id) {
    return store.newestRevision(id).map(n -> n + 1);
  }

  /**
   * A rollback of {@code current}: a new revision with the content of {@link
   * Revisions#rollbackTarget}, whose fields changed are counted from the newest revision (the last
   * one asked for). 409 without a target, when its model left the library, or while it is deleted.
   */
  Mono<Patched> rollbackLocked(LockedTenant t, Deployment current) {
    if (current.status() == DeploymentStatus.DELETING) {
      return Mono.error(deleting(current));
    }
    return store
        .decisive(current.id())
        .collectList()
        .flatMap(
            revisions -> {
              Optional<DeploymentRevision> target = Revisions.rollbackTarget(revisions);
              if (target.isEmpty()) {
                return Mono.error(
                    new ZeroscaleException(
                        OpenAiError.of(
                            409,
                            "Deployment '"
                                + current.modelName()
                                + "' has no earlier revision that was active to roll back to.",
                            null,
                            "no_previous_revision")));
              }
              DeploymentRevision back = target.get();
              DeploymentRevision newest = Revisions.newest(revisions).orElseThrow();
              RevisionContent content = back.content();
              List<String> changed = content.changedFrom(newest.content());
              return models
                  .find(t.id(), content.modelId().toString())
                  .switchIfEmpty(
                      Mono.error(
                          () ->
                              new ZeroscaleException(
                                  OpenAiError.of(
                                      409,
                                      "Revision "
                                          + back.revision()
                                          + " ran model '"
                                          + back.modelName()
                                          + "', which is no longer in your library.",
                                      null,
                                      "model_deleted"))))
                  .flatMap(
                      m ->
                          revisionLocked(
                              t,
                              current,
                              content,
                              changed,
                              current.settings(),
                              m.id().equals(current.modelId()) ? Optional.empty() : Optional.of(m)))
                  .map(
                      r ->
                          new Patched(
                              r.deployment(), true, !content.modelId().equals(current.modelId())));
            });
  }

  /** 409 {@code deployment_deleting}: a deployment being deleted changes no more. */
  static ZeroscaleException deleting(Deployment d) {
    return new ZeroscaleException(
        OpenAiError.of(
            409,
            "Deployment '" + d.modelName() + "' is being deleted.",
            null,
            "deployment_deleting"));
  }

  /** The activator's end of a rollout to {@code revision} of {@code d} ({@link Revisions}). */
  Mono<Patched> rolloutEndedLocked(
      LockedTenant t, Deployment d, int revision, boolean succeeded, String reason) {
    return store
        .decisive(d.id())
        .collectList()
        .flatMap(
            revisions -> {
              Revisions.Outcome outcome =
                  Revisions.rolloutEnded(revisions, d.revision(), revision, succeeded, reason);
              return switch (outcome) {
                case Revisions.Outcome.Unchanged u -> Mono.just(new Patched(d, false, false));
                case Revisions.Outcome.Activated a ->
                    store.activate(d.id(), a.revision()).thenReturn(new Patched(d, false, false));
                case Revisions.Outcome.Failed f -> failed(t, d, f);
              };
            });
  }

  /**
   * The revision failed: marked so, and unless the deployment has no active revision (or is being
   * deleted) its row returns to that revision, with the surge and warning of then.
   */
  private Mono<Patched> failed(LockedTenant t, Deployment d, Revisions.Outcome.Failed f) {
    Mono<Boolean> marked = store.fail(d.id(), f.revision(), f.reason());
    boolean gone = d.deletedAt() != null || d.status().isGone();
    if (f.restore() == null || gone) {
      log.warn(
          "Revision {} of deployment {} failed ({}) with no active revision to return to",
          f.revision(),
          d.id(),
          f.reason());
      return marked.thenReturn(new Patched(d, false, false));
    }
    RevisionContent back = f.restore().content();
    log.warn(
        "Revision {} of deployment {} failed ({}); back to revision {} if it can be",
        f.revision(),
        d.id(),
        f.reason(),
        f.restore().revision());
    return marked
        .then(
            models
                .find(t.id(), back.modelId().toString())
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty()))
        .flatMap(
            model ->
                model.isPresent()
                    ? restore(t, d, f, model.get())
                    : unrestorable(d, f).map(r -> new Patched(r, true, false)));
  }

  /**
   * The revision to return to runs a model deleted from the library (its credentials are gone):
   * nothing is restored. The deployment stays on the failed revision's content, which launches
   * nothing more while the old instances serve what they run, and its reason says what to do.
   */
  private Mono<Deployment> unrestorable(Deployment d, Revisions.Outcome.Failed f) {
    log.warn(
        "Revision {} of deployment {} failed ({}); revision {} is not restored: its model {} was"
            + " deleted",
        f.revision(),
        d.id(),
        f.reason(),
        f.restore().revision(),
        f.restore().content().modelId());
    return store.rolloutReason(
        d.id(),
        "revision "
            + f.revision()
            + " failed: "
            + f.reason()
            + "; revision "
            + f.restore().revision()
            + " cannot be restored: its model '"
            + f.restore().modelName()
            + "' was deleted from the library; PATCH another model to roll out a new revision",
        now());
  }

  /** The deployment returns to the active revision, whose model {@code m} is in the library. */
  private Mono<Patched> restore(LockedTenant t, Deployment d, Revisions.Outcome.Failed f, Model m) {
    RevisionContent back = f.restore().content();
    String warning = DeploymentRules.warning(m).orElse(null);
    return store
        .usedGpus(t.id(), d.id())
        .flatMap(
            used -> {
              // The restored content is checked against the quota again (it may have been
              // lowered, or max_instances raised, during the rollout): instances lowered to fit.
              Optional<ScalingSettings> lowered =
                  DeploymentRules.withinQuota(t.gpuQuota(), used, d.settings(), back.numGpus());
              ScalingSettings s = lowered.orElse(d.settings());
              String note =
                  lowered
                      .map(
                          l -> {
                            log.warn(
                                "Deployment {} back to revision {} lowered to max_instances {}"
                                    + " for the GPU quota",
                                d.id(),
                                f.restore().revision(),
                                l.maxInstances());
                            return f.note()
                                + "; max_instances lowered from "
                                + d.settings().maxInstances()
                                + " to "
                                + l.maxInstances()
                                + (l.minInstances() != d.settings().minInstances()
                                    ? " (and min_instances to " + l.minInstances() + ")"
                                    : "")
                                + " to stay within the GPU quota of "
                                + t.gpuQuota();
                          })
                      .orElse(f.note());
              return store.restore(
                  d.id(),
                  f.restore().revision(),
                  back,
                  lowered.orElse(null),
                  DeploymentRules.surge(
                      t.gpuQuota(), used, s.maxInstances(), back.numGpus(), s.maxSurge()),
                  warning,
                  note,
                  now());
            })
        .map(r -> new Patched(r, true, !back.modelId().equals(d.modelId())));
  }

  static ZeroscaleException retry(String why) {
    return new ZeroscaleException(
        OpenAiError.of(409, "The request conflicted (" + why + "); retry it.", null, "conflict"));
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
