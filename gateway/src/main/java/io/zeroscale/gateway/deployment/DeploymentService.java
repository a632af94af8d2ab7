package io.zeroscale.gateway.deployment;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.api.redis.DeploymentCredentials;
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
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * The deployment use cases. Every write of a tenant's deployments runs in one transaction that
 * first locks the tenant's row ({@link DeploymentStore#lockTenant}), so that the uniqueness of
 * {@code model_name} and the GPU quota are checked against a state no concurrent write can change
 * before this one commits. Network calls (the hub lookup of an inline model) happen before the
 * transaction, Redis publications after it.
 *
 * <p>Redis is fail-open here: the database is the system of record, so a publication that fails
 * after the commit does not fail the request; the sweeper's resync writes the spec within one
 * interval.
 */
public final class DeploymentService {

  private static final Logger log = LoggerFactory.getLogger(DeploymentService.class);
  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(3);

  private final DeploymentStore store;
  private final ModelService models;
  private final HardwareCatalog catalog;
  private final DeploymentPublisher publisher;
  private final DeploymentLiveState live;
  private final TransactionalOperator tx;
  private final Clock clock;
  private final DeploymentChanges changes;

  public DeploymentService(
      DeploymentStore store,
      ModelService models,
      HardwareCatalog catalog,
      DeploymentPublisher publisher,
      DeploymentLiveState live,
      TransactionalOperator tx,
      Clock clock) {
    this.store = store;
    this.models = models;
    this.catalog = catalog;
    this.publisher = publisher;
    this.live = live;
    this.tx = tx;
    this.clock = clock;
    this.changes = new DeploymentChanges(store, models, catalog, live, clock);
  }

  /** Creates a deployment (201) or answers the first rule it breaks (422). */
  public Mono<Deployment> create(UUID tenantId, CreateRequest req) {
    return changes
        .hubLookup(tenantId, req.model())
        .flatMap(
            l ->
                tx.transactional(
                    locked(tenantId)
                        .flatMap(
                            t ->
                                model(tenantId, req, l.orElse(null))
                                    .flatMap(m -> insertLocked(t, req, m)))))
        .onErrorMap(DataIntegrityViolationException.class, e -> concurrentChange(e, req))
        .flatMap(d -> publishWithCredentials(d).thenReturn(d));
  }

  private Mono<Model> model(UUID tenantId, CreateRequest req, HubLookup lookup) {
    Family family = req.family() == null ? Family.LLM : req.family();
    return changes.model(tenantId, req.model(), lookup, family, req.modelName());
  }

  private Mono<Deployment> insertLocked(LockedTenant t, CreateRequest req, Model model) {
    GpuType gpu = catalog.find(req.gpu()).orElseThrow();
    Optional<Violation> problem =
        DeploymentRules.usable(model).or(() -> DeploymentRules.fit(model, gpu, req.numGpus()));
    if (problem.isPresent()) {
      return Mono.error(problem.get().toException());
    }
    return changes
        .engine(t.id(), req.engine())
        .flatMap(
            engine ->
                store
                    .nameTaken(t.id(), req.modelName())
                    .flatMap(
                        taken -> {
                          if (taken) {
                            return Mono.error(nameTaken(req.modelName()).toException());
                          }
                          return store.usedGpus(t.id(), null);
                        })
                    .flatMap(
                        used -> {
                          ScalingSettings s = req.settings();
                          Optional<Violation> quota =
                              DeploymentRules.quota(
                                  t.gpuQuota(), used, s.maxInstances(), req.numGpus());
                          if (quota.isPresent()) {
                            return Mono.error(quota.get().toException());
                          }
                          Family family = req.family() != null ? req.family() : model.family();
                          RevisionContent content =
                              new RevisionContent(
                                  model.id(),
                                  model.source(),
                                  req.gpu(),
                                  req.numGpus(),
                                  req.maxBatchSize(),
                                  engine);
                          return store.insert(
                              UUID.randomUUID(),
                              t.id(),
                              content,
                              req,
                              family,
                              DeploymentStatus.initial(s.minInstances()),
                              DeploymentRules.warning(model).orElse(null),
                              DeploymentRules.surge(
                                  t.gpuQuota(),
                                  used,
                                  s.maxInstances(),
                                  req.numGpus(),
                                  s.maxSurge()),
                              now());
                        }));
  }

  public Mono<Deployment> get(UUID tenantId, String ref) {
    return store.findLive(tenantId, ref).switchIfEmpty(Mono.error(() -> notFound(ref)));
  }

  public Flux<Deployment> list(UUID tenantId) {
    return store.listLive(tenantId);
  }

  /**
   * Changes a deployment: its settings live, and with a change of {@code model}, {@code gpu},
   * {@code num_gpus}, {@code max_batch_size} or {@code engine} a new revision, which the activator
   * rolls out. Everything is validated as on create (model, fit, quota with the surge counted)
   * under the tenant lock; a body that changes nothing is no change (no version, no revision). An
   * inline hub model is looked up before the transaction, as on create.
   */
  public Mono<Deployment> patch(UUID tenantId, String ref, JsonBody body, JsonNode model) {
    ModelRef asked = DeploymentRequests.patchModel(body, model);
    return changes
        .hubLookup(tenantId, asked)
        .flatMap(
            l ->
                underLock(
                    tenantId,
                    ref,
                    (t, current) -> changes.patchLocked(t, current, body, model, l.orElse(null))))
        .flatMap(this::published);
  }

  /** A deployment's revisions, newest first. */
  public Mono<List<DeploymentRevision>> revisions(Deployment d) {
    return store.revisions(d.id()).collectList();
  }

  /**
   * {@code POST …/rollback}: a new revision with the content of the revision before the last one
   * asked for ({@link Revisions#rollbackTarget}); 409 {@code no_previous_revision} without one, 409
   * {@code deployment_deleting} while it is deleted, 409 {@code model_deleted} when that revision's
   * model left the library. The quota and the surge are checked as for a PATCH.
   */
  public Mono<Deployment> rollback(UUID tenantId, String ref) {
    return underLock(tenantId, ref, changes::rollbackLocked).flatMap(this::published);
  }

  /**
   * Marks the deployment {@code deleting} (202) and publishes it; the activator drains its
   * instances. When it has none, it is finalized at once ({@link #finalizeIfIdle}).
   */
  public Mono<Deployment> delete(UUID tenantId, String ref) {
    return underLock(
            tenantId,
            ref,
            (t, d) ->
                d.status() == DeploymentStatus.DELETING
                    ? Mono.just(d)
                    : store.markDeleting(d.id(), now()))
        .flatMap(d -> publish(d).thenReturn(d))
        .flatMap(d -> finalizeIfIdle(d.id()).thenReturn(d));
  }

  /**
   * The finalizer, until the activator owns deletion: a {@code deleting} deployment with no
   * instances (starting, ready or draining) becomes {@code deleted} with {@code deleted_at}, leaves
   * the Redis hash, and a {@code deleted} publication goes out. Answers whether it finalized.
   */
  public Mono<Boolean> finalizeIfIdle(UUID id) {
    return live.read(id)
        .flatMap(
            state -> {
              if (state.instances() > 0) {
                return Mono.just(false);
              }
              return store
                  .finalizeDeleted(id, now())
                  .flatMap(d -> unpublish(d).thenReturn(true))
                  .defaultIfEmpty(false);
            });
  }

  /**
   * The activator's report of a deployment's status ({@code pending}, {@code deploying}, {@code
   * running}, {@code scaled_to_zero}, {@code failed}) and its reason; published when it changed. A
   * deployment being deleted keeps {@code deleting}.
   */
  public Mono<Void> reportStatus(UUID id, DeploymentStatus status, String reason) {
    if (status == DeploymentStatus.DELETING || status == DeploymentStatus.DELETED) {
      return Mono.error(new IllegalArgumentException("deletion is the control plane's: " + status));
    }
    return store.updateStatus(id, status, reason, now()).flatMap(this::publish);
  }

  /**
   * The activator stopped the last instance of a {@code deleting} deployment: finalize it now,
   * rather than at the next sweep.
   */
  public Mono<Void> finalizeDeleted(UUID id) {
    return store.finalizeDeleted(id, now()).flatMap(this::unpublish);
  }

  /**
   * The activator says the rollout to {@code revision} ended (see {@code
   * DeploymentStatusPort.rolloutEnded} and {@link Revisions#rolloutEnded}): succeeded → the
   * revision is {@code active} and the one before {@code superseded}; failed → the revision is
   * {@code failed} and, when an earlier revision is active, the deployment returns to it (content
   * and number, version + 1, published) with a reason that says why. Idempotent: only a revision
   * still rolling out changes. Runs under the tenant lock, like every write of a deployment.
   */
  public Mono<Void> rolloutEnded(UUID id, int revision, boolean succeeded, String reason) {
    return store
        .findById(id)
        .flatMap(
            found ->
                tx.transactional(
                    store
                        .lockTenant(found.tenantId())
                        .flatMap(
                            t ->
                                store
                                    .findById(id)
                                    .flatMap(
                                        d ->
                                            changes.rolloutEndedLocked(
                                                t, d, revision, succeeded, reason)))))
        .flatMap(this::published)
        .then();
  }

  /** Finalizes every idle {@code deleting} deployment; answers how many. */
  public Mono<Long> finalizeDeleting() {
    return store.deletingIds().concatMap(this::finalizeIfIdle).filter(b -> b).count();
  }

  /**
   * Makes the Redis hashes match the database: writes every live deployment's spec (unchanged ones
   * are skipped by the script) and drops ids that are no longer live; writes the credentials entry
   * of a live deployment that has none, an unreadable one or one of the wrong shape (the operator
   * changed {@code zeroscale.models.platform-token-for-unverified}), before its spec, and drops
   * those of deployments no longer live. The hashes are read before the database, so a deployment
   * created in between is never dropped.
   */
  public Mono<Integer> resync() {
    return Mono.zip(publisher.publishedIds(), publisher.publishedCredentials())
        .flatMap(
            before ->
                store
                    .listAllLive()
                    .collectList()
                    .flatMap(
                        liveOnes -> {
                          Set<String> stale = new HashSet<>(before.getT1());
                          Set<String> staleCredentials = new HashSet<>(before.getT2().keySet());
                          liveOnes.forEach(
                              d -> {
                                stale.remove(d.id().toString());
                                staleCredentials.remove(d.id().toString());
                              });
                          Map<String, DeploymentCredentials> credentials = before.getT2();
                          return Flux.fromIterable(liveOnes)
                              .concatMap(
                                  d ->
                                      repairCredentials(d, credentials)
                                          .then(publisher.changed(d.spec())))
                              .then(publisher.forget(stale))
                              .then(publisher.forgetCredentials(staleCredentials))
                              .thenReturn(liveOnes.size());
                        }));
  }

  /** Writes the entry of {@code d} unless {@code published} holds one of the right shape. */
  private Mono<Void> repairCredentials(Deployment d, Map<String, DeploymentCredentials> published) {
    return writeCredentials(d, published.get(d.id().toString()));
  }

  /**
   * Writes the credentials entry of {@code d} ({@link ModelService#credentials}), unless {@code
   * current} (null: none) already has the right shape.
   */
  private Mono<Void> writeCredentials(Deployment d, DeploymentCredentials current) {
    String id = d.id().toString();
    return models
        .credentials(d.tenantId(), d.modelId(), id, current)
        .flatMap(c -> publisher.credentials(id, c));
  }

  /**
   * Publishes what a change wrote, if it changed anything: with the credentials entry first when
   * the model changed (new launches download the new model with its own token).
   */
  private Mono<Deployment> published(DeploymentChanges.Patched r) {
    if (!r.changed()) {
      return Mono.just(r.deployment());
    }
    Mono<Void> publication =
        r.modelChanged() ? publishWithCredentials(r.deployment()) : publish(r.deployment());
    return publication.thenReturn(r.deployment());
  }

  /**
   * The deployment's events, newest first (see {@link DeploymentEvents}); an unreachable Redis is
   * an empty list.
   */
  public Mono<List<Map<String, Object>>> scalingEvents(Deployment d) {
    return live.scalingEvents(d.id()).onErrorReturn(List.of()).map(DeploymentEvents::events);
  }

  /** The live state of each deployment, zeros for those the port does not know. */
  public Mono<List<Map<String, Object>>> withLiveState(List<Deployment> deployments) {
    return live.read(deployments.stream().map(Deployment::id).toList())
        .onErrorReturn(Map.of())
        .map(
            states ->
                deployments.stream()
                    .map(d -> d.json(states.getOrDefault(d.id(), LiveState.NONE)))
                    .toList());
  }

  /**
   * A change of the tenant's deployment {@code ref} in one transaction, the tenant locked first (so
   * that quota counts are exact and changes of one tenant are serial); 404 when the tenant or the
   * deployment is gone.
   */
  private <T> Mono<T> underLock(
      UUID tenantId, String ref, BiFunction<LockedTenant, Deployment, Mono<T>> change) {
    return tx.transactional(
        locked(tenantId).flatMap(t -> get(tenantId, ref).flatMap(d -> change.apply(t, d))));
  }

  private Mono<LockedTenant> locked(UUID tenantId) {
    return store
        .lockTenant(tenantId)
        .switchIfEmpty(
            Mono.error(
                () ->
                    new ZeroscaleException(
                        OpenAiError.of(404, "Your tenant no longer exists.", null, "not_found"))));
  }

  private Mono<Void> publish(Deployment d) {
    return guarded(publisher.changed(d.spec()), d.spec());
  }

  private Mono<Void> unpublish(Deployment d) {
    return guarded(
        publisher.forgetCredentials(List.of(d.id().toString())).then(publisher.removed(d.spec())),
        d.spec());
  }

  /**
   * A new deployment's credentials entry, then its spec: the activator launches only what the spec
   * publishes, so its first launch finds the entry. When the entry cannot be written the spec is
   * not published either (fail-open, as {@link #publish}): the sweeper's resync writes both, in
   * that order.
   */
  private Mono<Void> publishWithCredentials(Deployment d) {
    return guarded(writeCredentials(d, null).then(publisher.changed(d.spec())), d.spec());
  }

  private Mono<Void> guarded(Mono<Void> publication, DeploymentSpec spec) {
    return publication
        .timeout(PUBLISH_TIMEOUT)
        .onErrorResume(
            e -> {
              log.warn(
                  "Could not publish deployment {} version {} ({}) to Redis; the next sweep retries",
                  spec.id(),
                  spec.version(),
                  spec.status(),
                  e);
              return Mono.empty();
            });
  }

  private Throwable concurrentChange(DataIntegrityViolationException e, CreateRequest req) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("deployments_live_name")) {
      return nameTaken(req.modelName()).toException();
    }
    return retry("a concurrent change got in the way");
  }

  private static Violation nameTaken(String modelName) {
    return new Violation(
        "model_name",
        "You already have a deployment named '"
            + modelName
            + "'. Deployment names are unique; delete it first or choose another model_name.",
        "name_taken");
  }

  private static ZeroscaleException retry(String why) {
    return new ZeroscaleException(
        OpenAiError.of(409, "The request conflicted (" + why + "); retry it.", null, "conflict"));
  }

  static ZeroscaleException notFound(String ref) {
    return new ZeroscaleException(
        OpenAiError.of(404, "No deployment '" + InputBounds.echo(ref) + "'.", null, "not_found"));
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
