package io.zeroscale.gateway.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.zeroscale.api.Family;
import io.zeroscale.gateway.web.ApiJson;
import java.time.Instant;
import java.util.UUID;

/**
 * A model of a tenant's library. The HF token is not part of it: it is stored sealed and read only
 * where a hub or an engine needs it.
 *
 * @param source canonical {@code hf://owner/name@revision}
 * @param sha the commit the revision resolved to at import; null when unknown
 * @param weightBytes size of the weights; null until the hub told it
 * @param hasHfToken whether a token was given at import
 * @param endpoint an S3 model's S3-compatible store URL, null for AWS and for hub models
 * @param hasS3Credentials whether an S3 model was imported with {@code s3_credentials}
 */
public record Model(
    UUID id,
    UUID tenantId,
    String name,
    String source,
    String repo,
    String revision,
    Family family,
    ModelStatus status,
    String error,
    String architecture,
    String modelType,
    String sha,
    Long weightBytes,
    Long parameterCount,
    boolean hasHfToken,
    Instant createdAt,
    Instant updatedAt,
    String endpoint,
    boolean hasS3Credentials) {

  /**
   * The columns of a new model that say where its weights are and how they are reached: a hub
   * repo's source, repo and revision with or without a token; an S3 prefix's {@code s3://} source
   * (also its repo, no revision) with its endpoint and whether it has credentials.
   */
  record Origin(
      String source,
      String repo,
      String revision,
      boolean hasHfToken,
      String endpoint,
      boolean hasS3Credentials) {}

  /**
   * A new model of the library as an import stores it: what its lookup learnt so far ({@code o}),
   * created and updated {@code now}.
   */
  static Model imported(
      UUID id,
      UUID tenantId,
      String name,
      Family family,
      Origin origin,
      ImportOutcome o,
      Instant now) {
    return new Model(
        id,
        tenantId,
        name,
        origin.source(),
        origin.repo(),
        origin.revision(),
        family,
        o.status(),
        o.error(),
        o.architecture(),
        o.modelType(),
        o.sha(),
        o.weightBytes(),
        o.parameterCount(),
        origin.hasHfToken(),
        now,
        now,
        origin.endpoint(),
        origin.hasS3Credentials());
  }

  /** What its lookup learnt, as the row stores it. */
  ImportOutcome outcome() {
    return new ImportOutcome(
        status, error, sha, architecture, modelType, weightBytes, parameterCount);
  }

  /** Whether it is stored in S3 or an S3-compatible store ({@code s3://bucket/prefix}). */
  public boolean s3() {
    return source.startsWith("s3://");
  }

  /** Whether deployments may use it: ready or unverified. */
  public boolean deployable() {
    return status == ModelStatus.READY || status == ModelStatus.UNVERIFIED;
  }

  /** The API shape (snake_case, nulls explicit, never the token). */
  public Json json() {
    return new Json(
        id.toString(),
        "model",
        name,
        source,
        repo,
        revision.isEmpty() ? null : revision,
        sha,
        family.wire(),
        status.wire(),
        error,
        architecture,
        modelType,
        weightBytes,
        parameterCount,
        hasHfToken,
        createdAt.toString(),
        updatedAt.toString(),
        s3() ? endpoint : null,
        s3() ? hasS3Credentials : null);
  }

  /**
   * A model as the API shows it: these fields, in this order, in snake case, nulls written; an S3
   * model's {@code endpoint} (null: AWS) and {@code has_s3_credentials} only for S3 models, so that
   * a hub model's JSON stays as it was.
   */
  @ApiJson
  public record Json(
      String id,
      String object,
      String name,
      String source,
      String repo,
      String revision,
      String sha,
      String family,
      String status,
      String error,
      String architecture,
      String modelType,
      Long weightBytes,
      Long parameterCount,
      boolean hasHfToken,
      String createdAt,
      String updatedAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) String endpoint,
      @JsonInclude(JsonInclude.Include.NON_NULL) Boolean hasS3Credentials) {}
}
