package io.zeroscale.gateway.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.web.ApiJson;
import io.zeroscale.gateway.web.ApiObjects;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A key as listings show it: never the secret, which only the creation answer carries once.
 *
 * @param limits the key's own rate limits; null fields inherit the tenant's, then the default
 * @param previousSecretValidUntil after a rotation with a grace, when the previous secret stops (or
 *     stopped) working; null when there is none
 */
public record ApiKeyView(
    UUID id,
    String tenant,
    String name,
    String displayPrefix,
    List<String> scopes,
    Instant expiresAt,
    Principal.Limits limits,
    Instant revokedAt,
    Instant createdAt,
    Instant previousSecretValidUntil) {

  public ApiKeyView {
    limits = Principal.Limits.orInherit(limits);
  }

  /** The admin API's shape of a listed key. */
  public Json json() {
    return json(null);
  }

  /** The creation (or rotation) answer's shape: with the secret, the only time it is ever shown. */
  public Json json(String secret) {
    return new Json(
        id.toString(),
        "api_key",
        tenant,
        name,
        displayPrefix,
        scopes,
        ApiObjects.time(expiresAt),
        limits.requestsPerMinute(),
        limits.maxConcurrentRequests(),
        ApiObjects.time(revokedAt),
        createdAt.toString(),
        secret,
        ApiObjects.time(previousSecretValidUntil));
  }

  /**
   * A key as the admin API shows it: these fields, in this order, in snake case, nulls written but
   * for the secret, which only the creation (and rotation) answer has, and the end of the previous
   * secret's grace, which only a key rotated with a grace has.
   *
   * @param requestsPerMinute null: inherited
   * @param maxConcurrentRequests null: inherited
   */
  @ApiJson
  public record Json(
      String id,
      String object,
      String tenant,
      String name,
      String prefix,
      List<String> scopes,
      String expiresAt,
      Integer requestsPerMinute,
      Integer maxConcurrentRequests,
      String revokedAt,
      String createdAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) String secret,
      @JsonInclude(JsonInclude.Include.NON_NULL) String previousSecretExpiresAt) {}
}
