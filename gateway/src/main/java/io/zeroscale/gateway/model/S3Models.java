package io.zeroscale.gateway.model;

import io.zeroscale.api.Family;
import io.zeroscale.api.crypto.SecretBox;
import io.zeroscale.api.redis.S3Access;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.model.hub.HubLookup;
import io.zeroscale.gateway.model.s3.S3Client;
import io.zeroscale.gateway.model.s3.S3Source;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The S3 side of the model library ({@link ModelService}'s, issue #20): stores an S3 model with its
 * {@link S3Access} sealed, runs and records its lookup, opens the access again for a deployment.
 *
 * <p>An S3 model's row: {@code source} and {@code repo} are {@code s3://bucket/prefix}, {@code
 * revision} is empty (S3 has no commits: instances load the objects as they are when they boot),
 * {@code endpoint} is the S3-compatible store's URL (null: AWS), and {@code s3_credentials_enc} is
 * the access as JSON sealed under {@link #context(UUID)}. It is sealed even without credentials, so
 * that endpoint and region always travel with it.
 */
final class S3Models {

  private static final Logger log = LoggerFactory.getLogger(S3Models.class);

  private static final int INLINE_NAME_SUFFIXES = 9;

  private final ModelStore store;
  private final S3Client client;
  private final SecretBox secrets;
  private final ImportLimits limits;
  private final JsonMapper json = JsonMapper.builder().build();

  /**
   * @param client null when S3 lookups are not configured (imports then end {@code unverified})
   */
  S3Models(ModelStore store, S3Client client, SecretBox secrets, ImportLimits limits) {
    this.store = store;
    this.client = client;
    this.secrets = secrets;
    this.limits = limits;
  }

  /** The associated data that binds a sealed S3 access to its model row. */
  static String context(UUID modelId) {
    return "models.s3_credentials_enc:" + modelId;
  }

  /** Stores a new S3 model as {@code importing}, its access sealed for it. */
  Mono<Model> insert(
      UUID tenantId, String name, ModelService.S3Import s3Import, Family family, Instant now) {
    return insert(tenantId, name, s3Import, family, now, ImportOutcome.IMPORTING);
  }

  /**
   * Imports an S3 model on the way to a deployment (an inline {@code model.s3}), with its lookup
   * made: a lookup that proves it unusable is a 422 on {@code model.s3.source}; a full library is
   * 422 {@code quota_exceeded}; else it is stored with the lookup's outcome under the deployment's
   * name, the prefix's last segment or the deployment's name with a suffix, whichever is free.
   * Always anew (as an inline hub model with a token): another import of the same source may have
   * other credentials. Meant to run inside the deployment's transaction, the tenant locked.
   */
  Mono<Model> importForDeployment(
      UUID tenantId,
      ModelService.S3Import s3Import,
      Family family,
      String preferredName,
      HubLookup lookup,
      Instant now) {
    ImportOutcome o = ImportOutcome.ofS3(lookup);
    String uri = s3Import.source().uri();
    if (o.status() == ModelStatus.FAILED) {
      return Mono.error(
          new ZeroscaleException(
              OpenAiError.of(
                  422,
                  "Cannot import " + uri + ": " + o.error(),
                  "model.s3.source",
                  "model_import_failed")));
    }
    List<String> candidates = inlineNames(preferredName, s3Import.source());
    return store
        .library(tenantId)
        .flatMap(
            library ->
                limits
                    .forInlineImport(library)
                    .<Mono<Model>>map(Mono::error)
                    .orElseGet(
                        () ->
                            store
                                .takenNames(tenantId, candidates)
                                .collect(Collectors.toSet())
                                .flatMap(
                                    taken ->
                                        candidates.stream()
                                            .filter(n -> !taken.contains(n))
                                            .findFirst()
                                            .map(n -> insert(tenantId, n, s3Import, family, now, o))
                                            .orElseGet(
                                                () -> Mono.error(namesTaken(uri, candidates))))));
  }

  private static ZeroscaleException namesTaken(String uri, List<String> candidates) {
    return new ZeroscaleException(
        OpenAiError.of(
            422,
            "Cannot import "
                + uri
                + " into your library: the names "
                + candidates
                + " are all taken. Import it with POST /api/v1/models under another name"
                + " and deploy it by that name.",
            "model",
            "name_taken"));
  }

  /** Candidate library names for an inline S3 model, in order of preference. */
  static List<String> inlineNames(String preferredName, S3Source source) {
    Set<String> names = new LinkedHashSet<>();
    names.add(preferredName);
    names.add(source.lastSegment());
    for (int i = 2; i <= INLINE_NAME_SUFFIXES; i++) {
      names.add(preferredName + "-" + i);
    }
    List<String> valid = new ArrayList<>();
    for (String n : names) {
      if (Names.problem("name", n).isEmpty()) {
        valid.add(n);
      }
    }
    return valid;
  }

  private Mono<Model> insert(
      UUID tenantId,
      String name,
      ModelService.S3Import s3Import,
      Family family,
      Instant now,
      ImportOutcome o) {
    UUID id = UUID.randomUUID();
    S3Access access = s3Import.access();
    byte[] sealed = secrets.seal(access.write(json), context(id));
    String uri = s3Import.source().uri();
    Model m =
        new Model(
            id,
            tenantId,
            name,
            uri,
            uri,
            "",
            family,
            o.status(),
            o.error(),
            o.architecture(),
            o.modelType(),
            o.sha(),
            o.weightBytes(),
            o.parameterCount(),
            false,
            now,
            now,
            access.endpoint(),
            access.signed());
    return store.insert(m, null, sealed);
  }

  /** An S3 lookup that never errors, whatever the client does. */
  Mono<HubLookup> lookup(S3Source source, S3Access access) {
    if (client == null) {
      return Mono.just(new HubLookup.Unreachable("S3 lookups are not configured"));
    }
    return client
        .lookup(source, access)
        .onErrorResume(
            e -> {
              log.warn("S3 lookup of {} failed unexpectedly", source.uri(), e);
              return Mono.just(new HubLookup.Unreachable("the S3 lookup failed unexpectedly"));
            });
  }

  /** Looks the model up and records the outcome; answers rows updated. */
  Mono<Long> lookupAndRecord(Model m, S3Access access, Instant now) {
    S3Source src;
    try {
      src = S3Source.parse(m.source());
    } catch (IllegalArgumentException e) {
      log.warn(
          "Import of model {} of tenant {} has a source no longer accepted", m.id(), m.tenantId());
      return store.complete(
          m.id(), ImportOutcome.failed("its source is no longer accepted: " + e.getMessage()), now);
    }
    return lookup(src, access)
        .flatMap(
            l -> {
              ImportOutcome o = ImportOutcome.ofS3(l);
              log.info(
                  "Import of model {} ({}) of tenant {}: {}",
                  m.id(),
                  m.source(),
                  m.tenantId(),
                  o.status().wire());
              return store.complete(m.id(), o, now);
            });
  }

  /**
   * The S3 access of an S3 model, opened; its endpoint only when the sealed access is missing or
   * does not open (then its instances get no credentials, and a warning names the model, never a
   * secret). Empty for a hub model.
   */
  Mono<S3Access> access(Model m) {
    if (!m.s3()) {
      return Mono.empty();
    }
    return store
        .sealedS3(m.id())
        .flatMap(
            ciphertext -> {
              try {
                return Mono.just(S3Access.read(json, secrets.open(ciphertext, context(m.id()))));
              } catch (IllegalArgumentException e) {
                log.warn(
                    "The S3 access of model {} does not open (was zeroscale.secrets.key"
                        + " changed?); going on with its endpoint only",
                    m.id());
                return Mono.empty();
              }
            })
        .switchIfEmpty(Mono.fromSupplier(() -> new S3Access(m.endpoint(), null, null, null, null)));
  }
}
