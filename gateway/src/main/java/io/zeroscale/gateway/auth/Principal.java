package io.zeroscale.gateway.auth;

import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.springframework.web.server.ServerWebExchange;

/**
 * Who is calling: the key's tenant (null for platform keys) and scopes. The auth filter puts it in
 * the exchange; handlers read it with {@link #of(ServerWebExchange)} and check scopes with the
 * {@code require*} methods, which raise the OpenAI-shaped 403.
 *
 * @param keyId the key's id, null for the bootstrap admin key from configuration
 * @param tenantId the key's tenant, null for platform keys
 * @param tenantName the tenant's name, null for platform keys
 * @param scopes granted scopes
 * @param limits the key's rate limits, already resolved key → tenant; what is still null falls back
 *     to the configured default (the rate limiter applies it)
 * @param expiresAt when the presented secret stops working (the key's expiry, or the end of a
 *     rotated-out secret's grace, whichever is first); null for never
 * @param viaPreviousSecret whether the caller presented the key's rotated-out secret, still in its
 *     grace: it may call models and read, but not create, rotate or revoke keys ({@link
 *     #requireKeysWrite()}), so that a leaked old secret cannot take the key back from its owner
 */
public record Principal(
    UUID keyId,
    UUID tenantId,
    String tenantName,
    Set<String> scopes,
    Limits limits,
    Instant expiresAt,
    boolean viaPreviousSecret) {

  public static final String ATTRIBUTE = Principal.class.getName();

  /** The code of the 403 for key management with a rotated-out secret. */
  public static final String PREVIOUS_SECRET_CODE = "previous_secret";

  /**
   * Rate limits stored for a key or its tenant; null = not set here, inherit.
   *
   * @param requestsPerMinute requests per minute
   * @param maxConcurrentRequests requests in flight at once, across all gateways
   */
  public record Limits(Integer requestsPerMinute, Integer maxConcurrentRequests) {

    /** Nothing set: everything inherited. */
    public static final Limits INHERIT = new Limits(null, null);

    /** {@code limits}, or {@link #INHERIT} when there are none. */
    public static Limits orInherit(Limits limits) {
      return limits == null ? INHERIT : limits;
    }

    /** This key's value where it has one, else {@code fallback}'s (the key's tenant's). */
    public Limits orElse(Limits fallback) {
      return new Limits(
          requestsPerMinute != null ? requestsPerMinute : fallback.requestsPerMinute(),
          maxConcurrentRequests != null ? maxConcurrentRequests : fallback.maxConcurrentRequests());
    }
  }

  public Principal {
    scopes = Set.copyOf(scopes);
    limits = Limits.orInherit(limits);
  }

  /** A principal that presented its key's current secret. */
  public Principal(
      UUID keyId,
      UUID tenantId,
      String tenantName,
      Set<String> scopes,
      Limits limits,
      Instant expiresAt) {
    this(keyId, tenantId, tenantName, scopes, limits, expiresAt, false);
  }

  /** A principal whose secret never expires. */
  public Principal(
      UUID keyId, UUID tenantId, String tenantName, Set<String> scopes, Limits limits) {
    this(keyId, tenantId, tenantName, scopes, limits, null);
  }

  /** A principal whose limits are all inherited from the configured defaults. */
  public Principal(UUID keyId, UUID tenantId, String tenantName, Set<String> scopes) {
    this(keyId, tenantId, tenantName, scopes, Limits.INHERIT);
  }

  /**
   * The principal the auth filter stored. Every path but the public ones is behind the filter, so a
   * handler always has one; if it has not (a handler mapped under a public path), the request is
   * refused as unauthenticated (401), never served or answered 500.
   */
  public static Principal of(ServerWebExchange exchange) {
    Principal p = exchange.getAttribute(ATTRIBUTE);
    if (p == null) {
      AuthResult.Rejected missing = AuthResult.MISSING_KEY;
      throw new ZeroscaleException(OpenAiError.of(401, missing.message(), null, missing.code()));
    }
    return p;
  }

  public boolean isTenant() {
    return tenantId != null;
  }

  public boolean has(String scope) {
    return scopes.contains(scope);
  }

  public boolean has(Scope scope) {
    return has(scope.wire());
  }

  public boolean canRead() {
    return has(Scope.DEPLOYMENTS_READ) || has(Scope.DEPLOYMENTS_WRITE);
  }

  /** Whether this key may call the deployment named {@code modelName} of its own tenant. */
  public boolean mayInfer(String modelName) {
    return has(Scope.INFERENCE_ALL) || has(Scopes.INFERENCE_PREFIX + modelName);
  }

  /** The tenant of a tenant key; a platform key gets 403 on tenant APIs. */
  public UUID requireTenant() {
    if (tenantId == null) {
      throw forbidden(
          "This is a platform key: it belongs to no tenant. Use one of the tenant's keys.");
    }
    return tenantId;
  }

  /** For reads of the tenant's library, hardware and deployments. */
  public UUID requireRead() {
    return requireTenantScope(Scope.DEPLOYMENTS_READ, Scope.DEPLOYMENTS_WRITE);
  }

  /** For changes to the tenant's library and deployments. */
  public UUID requireWrite() {
    return requireTenantScope(Scope.DEPLOYMENTS_WRITE);
  }

  public UUID requireUsage() {
    return requireTenantScope(Scope.USAGE_READ);
  }

  /** For listing and reading the tenant's keys: {@code keys:read} or {@code keys:write}. */
  public UUID requireKeysRead() {
    return requireTenantScope(Scope.KEYS_READ, Scope.KEYS_WRITE);
  }

  /**
   * For creating, revoking and rotating the tenant's keys; refused (403 {@value
   * #PREVIOUS_SECRET_CODE}) to a caller that presented a rotated-out secret, whatever its scopes.
   */
  public UUID requireKeysWrite() {
    UUID tenant = requireTenantScope(Scope.KEYS_WRITE);
    if (viaPreviousSecret) {
      throw new ZeroscaleException(
          OpenAiError.of(
              403,
              "This is the key's previous secret, still valid during its rotation grace: it may"
                  + " call models and read, but it cannot create, rotate or revoke keys. Use the"
                  + " key's current secret.",
              null,
              PREVIOUS_SECRET_CODE));
    }
    return tenant;
  }

  /**
   * Whether this caller is the key {@code keyId} itself, presenting its current secret: a
   * rotated-out secret never counts as its key.
   */
  public boolean isKey(UUID keyId) {
    return !viaPreviousSecret && this.keyId != null && this.keyId.equals(keyId);
  }

  /** For changes to the tenant's billing settings (its own spend limit). */
  public UUID requireBillingWrite() {
    return requireTenantScope(Scope.BILLING_WRITE);
  }

  /**
   * The tenant of a tenant key that holds {@code needed} or one of the scopes that imply it ({@code
   * orImpliedBy}); else 403 naming {@code needed}.
   */
  private UUID requireTenantScope(Scope needed, Scope... orImpliedBy) {
    UUID tenant = requireTenant();
    if (has(needed)) {
      return tenant;
    }
    for (Scope s : orImpliedBy) {
      if (has(s)) {
        return tenant;
      }
    }
    throw missing(needed);
  }

  /** For the admin API. */
  public void requireAdmin() {
    if (!has(Scope.ADMIN)) {
      throw missing(Scope.ADMIN);
    }
  }

  /** For finance reads: the finance or the admin scope. */
  public void requireFinance() {
    if (!has(Scope.FINANCE) && !has(Scope.ADMIN)) {
      throw missing(Scope.FINANCE);
    }
  }

  /** For the management endpoints ({@code /actuator/prometheus}): metrics or admin scope. */
  public void requireMetrics() {
    if (!has(Scope.METRICS) && !has(Scope.ADMIN)) {
      throw missing(Scope.METRICS);
    }
  }

  private static ZeroscaleException missing(Scope scope) {
    return forbidden("This key lacks the '" + scope.wire() + "' scope.");
  }

  private static ZeroscaleException forbidden(String message) {
    return new ZeroscaleException(OpenAiError.of(403, message, null, "insufficient_scope"));
  }
}
