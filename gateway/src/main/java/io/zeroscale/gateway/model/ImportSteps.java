package io.zeroscale.gateway.model;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The steps of an import that are the same whichever the source, a hub repo ({@link ModelService})
 * or an S3 prefix ({@link S3Models}): naming an inline model, storing it under a free name within
 * the library's caps, and recording a lookup's outcome. What differs (the source's suggested name,
 * the row's columns, what is sealed) the callers pass in.
 */
final class ImportSteps {

  private static final Logger log = LoggerFactory.getLogger(ImportSteps.class);

  /** {@code name}, then {@code name-2} … {@code name-9}: enough for redeploys of one model. */
  private static final int INLINE_NAME_SUFFIXES = 9;

  private final ModelStore store;
  private final ImportLimits limits;

  ImportSteps(ModelStore store, ImportLimits limits) {
    this.store = store;
    this.limits = limits;
  }

  /** The refusal as an error, else the work. */
  static <T> Mono<T> unless(Optional<ZeroscaleException> refusal, Supplier<Mono<T>> work) {
    return refusal.<Mono<T>>map(Mono::error).orElseGet(work);
  }

  /**
   * Candidate library names for an inline model, in order of preference: the deployment's, the one
   * the source suggests (if any), then the deployment's with a suffix; those that break the naming
   * rule ({@link Names}) are left out.
   */
  static List<String> inlineNames(String preferredName, Optional<String> fromSource) {
    Set<String> names = new LinkedHashSet<>();
    names.add(preferredName);
    fromSource.ifPresent(names::add);
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

  /**
   * Stores an inline model (a deployment's, its lookup made) under the first free name of {@code
   * candidates}: 422 {@code model_import_failed} on {@code sourceParam} when the lookup proved it
   * unusable, 422 {@code quota_exceeded} when the library is full, 422 {@code name_taken} when
   * every candidate is taken. Meant to run inside the deployment's transaction, the tenant locked,
   * so that the library count is exact.
   *
   * @param insert stores the model under the name it is given
   */
  Mono<Model> insertInline(
      UUID tenantId,
      String uri,
      String sourceParam,
      ImportOutcome o,
      List<String> candidates,
      Function<String, Mono<Model>> insert) {
    if (o.status() == ModelStatus.FAILED) {
      return Mono.error(
          new ZeroscaleException(
              OpenAiError.of(
                  422,
                  "Cannot import " + uri + ": " + o.error(),
                  sourceParam,
                  "model_import_failed")));
    }
    return store
        .library(tenantId)
        .flatMap(
            library ->
                unless(
                    limits.forInlineImport(library),
                    () ->
                        store
                            .takenNames(tenantId, candidates)
                            .collect(Collectors.toSet())
                            .flatMap(
                                taken ->
                                    candidates.stream()
                                        .filter(n -> !taken.contains(n))
                                        .findFirst()
                                        .map(insert)
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

  /** Records a lookup's outcome on the model's row; answers rows updated. */
  Mono<Long> record(Model m, ImportOutcome o, Instant now) {
    log.info(
        "Import of model {} ({}) of tenant {}: {}",
        m.id(),
        m.source(),
        m.tenantId(),
        o.status().wire());
    return store.complete(m.id(), o, now);
  }

  /**
   * Fails an import whose stored source the rules no longer accept (stored before they were
   * tightened): never looked up, never deployed, and the sweep goes on with the other imports.
   */
  Mono<Long> refuseSource(Model m, String problem, Instant now) {
    log.warn(
        "Import of model {} of tenant {} has a source no longer accepted", m.id(), m.tenantId());
    return store.complete(
        m.id(), ImportOutcome.failed("its source is no longer accepted: " + problem), now);
  }
}
