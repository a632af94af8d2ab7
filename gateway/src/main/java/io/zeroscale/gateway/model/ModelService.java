package io.zeroscale.gateway.model;

import static io.zeroscale.gateway.model.ImportSteps.unless;

import io.zeroscale.api.Family;
import io.zeroscale.api.crypto.SecretBox;
import io.zeroscale.api.redis.DeploymentCredentials;
import io.zeroscale.api.redis.S3Access;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.model.hub.HfSource;
import io.zeroscale.gateway.model.hub.HubClient;
import io.zeroscale.gateway.model.hub.HubLookup;
import io.zeroscale.gateway.model.s3.S3Client;
import io.zeroscale.gateway.model.s3.S3Source;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The model library's use cases. An import answers at once with {@code importing} and runs the hub
 * lookup in the background; its outcome ({@link ImportOutcome}) is written when it arrives. An
 * import cut short (the gateway stopped mid-lookup) is picked up again by {@link
 * #resumeStaleImports(Duration)}, which the sweeper calls.
 *
 * <p>Every import, direct or inline, first takes one from the tenant's hourly budget, before any
 * hub request; then, with the tenant locked, the library is counted against its caps ({@link
 * ImportLimits}).
 *
 * <p>HF tokens are sealed with the model's id as associated data before they are stored, passed to
 * the hub client in memory, and never logged. A deployment's instances get the model's token
 * re-sealed for that deployment ({@link #credentials}), or the platform's or none ({@link
 * InstanceTokens}).
 *
 * <p>An S3 model ({@code s3://bucket/prefix}, issue #20) is imported the same way ({@link
 * S3Models}), its {@link S3Access} sealed like a token.
 */
public final class ModelService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ModelService.class);

  private final ModelStore store;
  private final HubClient hub;
  private final S3Models s3Models;
  private final ImportSteps steps;
  private final JsonMapper json = JsonMapper.builder().build();
  private final SecretBox secrets;
  private final ImportLimits limits;
  private final TransactionalOperator tx;
  private final Clock clock;
  private final boolean platformTokenForUnverified;
  private final Disposable.Composite inflight = Disposables.composite();

  /**
   * @param platformTokenForUnverified {@code zeroscale.models.platform-token-for-unverified}
   */
  public ModelService(
      ModelStore store,
      HubClient hub,
      SecretBox secrets,
      ImportLimits limits,
      TransactionalOperator tx,
      Clock clock,
      boolean platformTokenForUnverified) {
    this(store, hub, null, secrets, limits, tx, clock, platformTokenForUnverified);
  }

  /**
   * @param s3 the S3 lookup, or null when S3 sources cannot be looked up (their imports end {@code
   *     unverified})
   * @param platformTokenForUnverified {@code zeroscale.models.platform-token-for-unverified}
   */
  public ModelService(
      ModelStore store,
      HubClient hub,
      S3Client s3,
      SecretBox secrets,
      ImportLimits limits,
      TransactionalOperator tx,
      Clock clock,
      boolean platformTokenForUnverified) {
    this.platformTokenForUnverified = platformTokenForUnverified;
    this.store = store;
    this.hub = hub;
    this.steps = new ImportSteps(store, limits);
    this.s3Models = new S3Models(store, s3, secrets, steps);
    this.secrets = secrets;
    this.limits = limits;
    this.tx = tx;
    this.clock = clock;
  }

  /**
   * An import request, validated.
   *
   * @param source the hub source, null for an S3 one
   * @param hfToken the tenant's HF token for gated or private repos, null for none
   * @param s3 the S3 source and access, null for a hub source
   */
  public record ImportRequest(
      String name, HfSource source, Family family, String hfToken, S3Import s3) {

    /** A hub import. */
    public ImportRequest(String name, HfSource source, Family family, String hfToken) {
      this(name, source, family, hfToken, null);
    }

    /** The canonical source, either kind. */
    public String uri() {
      return s3 != null ? s3.source().uri() : source.uri();
    }

    /** Never prints the token. */
    @Override
    public String toString() {
      return "ImportRequest[name="
          + name
          + ", source="
          + uri()
          + ", family="
          + family.wire()
          + ", hfToken="
          + (hfToken == null ? "none" : "<redacted>")
          + "]";
    }
  }

  /** An S3 lookup that never errors; for an inline {@code model.s3}, after taking an import. */
  public Mono<HubLookup> lookupS3(UUID tenantId, S3Import s3) {
    return Mono.defer(
        () -> unless(limits.take(tenantId), () -> s3Models.lookup(s3.source(), s3.access())));
  }

  /** {@link S3Models#importForDeployment}, inside the deployment's transaction. */
  public Mono<Model> importS3ForDeployment(
      UUID tenantId, S3Import s3, Family family, String preferredName, HubLookup lookup) {
    return s3Models.importForDeployment(tenantId, s3, family, preferredName, lookup, now());
  }

  /**
   * An S3 source with how to reach it.
   *
   * @param access endpoint, region and credentials ({@link S3Access#ANONYMOUS} for none)
   */
  public record S3Import(S3Source source, S3Access access) {}

  /**
   * Stores the model as {@code importing} and starts its hub lookup without waiting for it; 429
   * past the tenant's hourly imports or imports under way, 422 when its library is full.
   */
  public Mono<Model> importModel(UUID tenantId, ImportRequest req) {
    return Mono.defer(() -> unless(limits.take(tenantId), () -> importWithinLimits(tenantId, req)));
  }

  private Mono<Model> importWithinLimits(UUID tenantId, ImportRequest req) {
    Supplier<Mono<Model>> insert =
        req.s3() != null
            ? () -> s3Models.insert(tenantId, req.name(), req.s3(), req.family(), now())
            : () ->
                insert(
                    tenantId,
                    req.name(),
                    req.source(),
                    req.family(),
                    ImportOutcome.IMPORTING,
                    req.hfToken());
    Mono<Model> counted =
        store
            .lockTenant(tenantId)
            .then(store.library(tenantId))
            .flatMap(library -> unless(limits.forImport(library), insert));
    // transactional(Mono) emits once the commit is done: the lookup's UPDATE then finds the row.
    return tx.transactional(counted)
        .onErrorMap(DataIntegrityViolationException.class, e -> nameTaken("name", req.name()))
        .doOnNext(
            saved ->
                inBackground(
                    saved,
                    req.s3() != null
                        ? s3Models.lookupAndRecord(saved, req.s3().access(), now())
                        : lookupAndRecord(saved, req.hfToken())));
  }

  public Mono<Model> get(UUID tenantId, String ref) {
    return store.find(tenantId, ref).switchIfEmpty(Mono.error(() -> notFound(ref)));
  }

  /** By id or name; empty when the tenant has no such model. */
  public Mono<Model> find(UUID tenantId, String ref) {
    return store.find(tenantId, ref);
  }

  public Flux<Model> list(UUID tenantId) {
    return store.list(tenantId);
  }

  public Mono<Model> rename(UUID tenantId, String ref, String newName) {
    return get(tenantId, ref)
        .flatMap(
            m ->
                m.name().equals(newName)
                    ? Mono.just(m)
                    : store
                        .rename(tenantId, m.id(), newName, now())
                        .onErrorMap(
                            DataIntegrityViolationException.class,
                            e -> nameTaken("name", newName)));
  }

  /** Deletes a model no live deployment uses; 409 otherwise. */
  public Mono<Void> delete(UUID tenantId, String ref) {
    return get(tenantId, ref)
        .flatMap(
            m ->
                store
                    .liveDeploymentsUsing(m.id())
                    .collectList()
                    .flatMap(
                        users -> {
                          if (!users.isEmpty()) {
                            return Mono.error(inUse(m, users));
                          }
                          return store
                              .deleteUnused(tenantId, m.id(), clock.instant())
                              .flatMap(
                                  n ->
                                      n == 0
                                          ? store
                                              .liveDeploymentsUsing(m.id())
                                              .collectList()
                                              .flatMap(u -> Mono.error(inUse(m, u)))
                                          : Mono.empty());
                        }))
        .then();
  }

  /** A hub lookup that never errors, whatever the client does. */
  public Mono<HubLookup> lookup(HfSource source, String hfToken) {
    return hub.lookup(source, hfToken)
        .onErrorResume(
            e -> {
              // The client turns every failure into an outcome; this is a bug, not a hub problem.
              log.warn("Hub lookup of {} failed unexpectedly", source.uri(), e);
              return Mono.just(new HubLookup.Unreachable("the hub lookup failed unexpectedly"));
            });
  }

  /**
   * The lookup of a deployment's inline {@code model.hf} that is not in the library yet: takes one
   * of the tenant's hourly imports first (429 past them), as {@link #importModel} does.
   */
  public Mono<HubLookup> lookupForImport(UUID tenantId, HfSource source) {
    return lookupForImport(tenantId, source, null);
  }

  /** {@link #lookupForImport(UUID, HfSource)} with the tenant's token (null for none). */
  public Mono<HubLookup> lookupForImport(UUID tenantId, HfSource source, String hfToken) {
    return Mono.defer(() -> unless(limits.take(tenantId), () -> lookup(source, hfToken)));
  }

  /** A deployable model already imported from exactly this source, for inline hub models. */
  public Mono<Model> findDeployableBySource(UUID tenantId, HfSource source) {
    return store.findDeployableBySource(tenantId, source.uri());
  }

  /**
   * Imports a hub model on the way to a deployment (SPEC §3), with a lookup already made: reuses a
   * deployable model of the same source, else stores a new one named after the deployment (or the
   * repo, or the deployment's name with a suffix, whichever is free). A lookup that proves the
   * model unusable is a 422 on {@code model.hf.repo}; an unreachable hub stores it {@code
   * unverified}; a full library is 422 {@code quota_exceeded} on {@code model}. Meant to run inside
   * the deployment's transaction, with the tenant locked (so that the library count is exact).
   *
   * @param hfToken the tenant's token for the repo, or null: with one, the model is always imported
   *     anew with that token sealed (as {@code POST /api/v1/models} does), since a library model of
   *     the same source may have been imported with another token or none
   */
  public Mono<Model> importForDeployment(
      UUID tenantId,
      HfSource source,
      Family family,
      String preferredName,
      HubLookup lookup,
      String hfToken) {
    return (hfToken == null
            ? store.findDeployableBySource(tenantId, source.uri())
            : Mono.<Model>empty())
        .switchIfEmpty(
            Mono.defer(
                () -> {
                  ImportOutcome o = ImportOutcome.of(lookup);
                  return steps.insertInline(
                      tenantId,
                      source.uri(),
                      "model.hf.repo",
                      o,
                      inlineNames(preferredName, source),
                      name -> insert(tenantId, name, source, family, o, hfToken));
                }));
  }

  /**
   * Stores a new model of the tenant's library, with {@code hfToken} sealed for it (null: none).
   */
  private Mono<Model> insert(
      UUID tenantId, String name, HfSource source, Family family, ImportOutcome o, String hfToken) {
    Instant now = now();
    UUID id = UUID.randomUUID();
    byte[] sealed = hfToken == null ? null : secrets.seal(hfToken, tokenContext(id));
    Model m =
        Model.imported(
            id,
            tenantId,
            name,
            family,
            new Model.Origin(
                source.uri(), source.repo(), source.revision(), sealed != null, null, false),
            o,
            now);
    return store.insert(m, sealed);
  }

  /**
   * The credentials entry for deployment {@code deploymentId} of model {@code modelId} ({@link
   * InstanceTokens}): the model's token re-sealed for the deployment, or the platform's, or none.
   * With {@code current} (the entry Redis holds now), empty when that one already has the right
   * shape, so that the resync does not rewrite it every interval. Empty when the model is gone.
   */
  public Mono<DeploymentCredentials> credentials(
      UUID tenantId, UUID modelId, String deploymentId, DeploymentCredentials current) {
    InstanceTokens tokens = new InstanceTokens(secrets, platformTokenForUnverified);
    return store
        .findById(tenantId, modelId)
        .filter(m -> current == null || !tokens.matches(current, m))
        .flatMap(
            m ->
                m.s3()
                    ? s3Models
                        .access(m)
                        .map(a -> DeploymentCredentials.s3(secrets, deploymentId, a, json))
                    : optionalToken(m)
                        .map(t -> tokens.credentials(deploymentId, m, t.orElse(null))));
  }

  /** Candidate library names for an inline hub model, in order of preference. */
  static List<String> inlineNames(String preferredName, HfSource source) {
    return ImportSteps.inlineNames(preferredName, Names.fromRepo(source.repo()));
  }

  /**
   * Runs the lookup again for imports left {@code importing} for longer than {@code minAge} (the
   * gateway that started them stopped). Answers how many it resumed.
   */
  public Mono<Long> resumeStaleImports(Duration minAge) {
    return store
        .importingSince(now().minus(minAge))
        .concatMap(
            m ->
                m.s3()
                    ? s3Models.access(m).flatMap(a -> s3Models.lookupAndRecord(m, a, now()))
                    : optionalToken(m).flatMap(t -> lookupAndRecord(m, t.orElse(null))))
        .count();
  }

  /** The model's token, opened; empty inside when it has none or it does not open. */
  private Mono<Optional<String>> optionalToken(Model m) {
    return token(m).map(Optional::of).defaultIfEmpty(Optional.empty());
  }

  private Mono<String> token(Model m) {
    if (!m.hasHfToken()) {
      return Mono.empty();
    }
    return SealedColumns.open(
        secrets,
        store.sealedToken(m.id()),
        tokenContext(m.id()),
        Function.identity(),
        m.id(),
        "HF token",
        "going on without it");
  }

  /** Runs an import's lookup without waiting for it; {@link #close()} stops it. */
  private void inBackground(Model m, Mono<Long> lookup) {
    Disposable[] self = new Disposable[1];
    self[0] =
        lookup
            .doFinally(
                s -> {
                  if (self[0] != null) {
                    inflight.remove(self[0]);
                  }
                })
            .subscribe(
                n -> {},
                e ->
                    log.warn(
                        "Import of model {} could not record its outcome; it will be retried",
                        m.id(),
                        e));
    if (!self[0].isDisposed()) {
      inflight.add(self[0]);
    }
  }

  private Mono<Long> lookupAndRecord(Model m, String hfToken) {
    HfSource src;
    try {
      src = new HfSource(m.repo(), m.revision());
    } catch (IllegalArgumentException e) {
      // Stored before the rules were tightened, e.g. a revision starting with '-'.
      return steps.refuseSource(
          m, e.getMessage().replace("; " + HfSource.ACCEPTED_FORMS, ""), now());
    }
    return lookup(src, hfToken).flatMap(l -> steps.record(m, ImportOutcome.of(l), now()));
  }

  /** Stops background lookups; an import cut here is resumed by the next sweep. */
  @Override
  public void close() {
    inflight.dispose();
  }

  /** The associated data that binds a sealed token to its model row. */
  static String tokenContext(UUID modelId) {
    return "models.hf_token_enc:" + modelId;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  static ZeroscaleException notFound(String ref) {
    return new ZeroscaleException(
        OpenAiError.of(404, "No model '" + ref + "' in your library.", null, "not_found"));
  }

  static ZeroscaleException nameTaken(String param, String name) {
    return new ZeroscaleException(
        OpenAiError.of(
            422, "Your library already has a model named '" + name + "'.", param, "name_taken"));
  }

  private static ZeroscaleException inUse(Model m, List<String> deployments) {
    return new ZeroscaleException(
        OpenAiError.of(
            409,
            "Model '"
                + m.name()
                + "' is used by "
                + String.join(", ", deployments)
                + " (a deployment's current, active or rolling-out revision); delete the"
                + " deployment, or roll it out to another model and wait for the rollout to end,"
                + " first.",
            null,
            "model_in_use"));
  }
}
