package io.zeroscale.gateway.model;

import io.zeroscale.api.Family;
import io.zeroscale.api.crypto.SecretBox;
import io.zeroscale.api.redis.S3Access;
import io.zeroscale.gateway.model.hub.HubLookup;
import io.zeroscale.gateway.model.s3.S3Client;
import io.zeroscale.gateway.model.s3.S3Source;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
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

  private final ModelStore store;
  private final S3Client client;
  private final SecretBox secrets;
  private final ImportSteps steps;
  private final JsonMapper json = JsonMapper.builder().build();

  /**
   * @param client null when S3 lookups are not configured (imports then end {@code unverified})
   */
  S3Models(ModelStore store, S3Client client, SecretBox secrets, ImportSteps steps) {
    this.store = store;
    this.client = client;
    this.secrets = secrets;
    this.steps = steps;
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
    return steps.insertInline(
        tenantId,
        s3Import.source().uri(),
        "model.s3.source",
        o,
        inlineNames(preferredName, s3Import.source()),
        name -> insert(tenantId, name, s3Import, family, now, o));
  }

  /** Candidate library names for an inline S3 model, in order of preference. */
  static List<String> inlineNames(String preferredName, S3Source source) {
    return ImportSteps.inlineNames(preferredName, Optional.of(source.lastSegment()));
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
        Model.imported(
            id,
            tenantId,
            name,
            family,
            new Model.Origin(uri, uri, "", false, access.endpoint(), access.signed()),
            o,
            now);
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
      return steps.refuseSource(m, e.getMessage(), now);
    }
    return lookup(src, access).flatMap(l -> steps.record(m, ImportOutcome.ofS3(l), now));
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
    return SealedColumns.open(
            secrets,
            store.sealedS3(m.id()),
            context(m.id()),
            text -> S3Access.read(json, text),
            m.id(),
            "S3 access",
            "going on with its endpoint only")
        .switchIfEmpty(Mono.fromSupplier(() -> new S3Access(m.endpoint(), null, null, null, null)));
  }
}
