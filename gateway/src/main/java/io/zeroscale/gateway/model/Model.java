package io.zeroscale.gateway.model;

import io.zeroscale.api.Family;
import io.zeroscale.gateway.web.ApiObjects;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A model of a tenant's library. The HF token is not part of it: it is stored sealed and read only
 * where a hub or an engine needs it.
 *
 * @param source canonical {@code hf://owner/name@revision}
 * @param sha the commit the revision resolved to at import; null when unknown
 * @param weightBytes size of the weights; null until the hub told it
 * @param hasHfToken whether a token was given at import
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
    Instant updatedAt) {

  /** Whether deployments may use it: ready or unverified. */
  public boolean deployable() {
    return status == ModelStatus.READY || status == ModelStatus.UNVERIFIED;
  }

  /** The API shape (snake_case, nulls explicit, never the token). */
  public Map<String, Object> json() {
    Map<String, Object> m = ApiObjects.of(id, "model");
    m.put("name", name);
    m.put("source", source);
    m.put("repo", repo);
    m.put("revision", revision);
    m.put("sha", sha);
    m.put("family", family.wire());
    m.put("status", status.wire());
    m.put("error", error);
    m.put("architecture", architecture);
    m.put("model_type", modelType);
    m.put("weight_bytes", weightBytes);
    m.put("parameter_count", parameterCount);
    m.put("has_hf_token", hasHfToken);
    m.put("created_at", createdAt.toString());
    m.put("updated_at", updatedAt.toString());
    return m;
  }
}
