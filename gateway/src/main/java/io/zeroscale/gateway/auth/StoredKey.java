package io.zeroscale.gateway.auth;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * A key as the database holds it, joined with its tenant.
 *
 * @param id key id
 * @param secretSha256 hex SHA-256 of the secret
 * @param tenantId tenant, null for platform keys
 * @param tenantName tenant name, null for platform keys
 * @param scopes granted scopes
 * @param expiresAt expiry, null for none; for a rotated-out secret, the end of its grace when that
 *     is earlier
 * @param revokedAt revocation time (the key's or its tenant's deletion), null while valid
 * @param limits rate limits resolved key → tenant (null fields: the configured default)
 * @param viaPreviousSecret whether the secret looked up is the key's rotated-out one, still in its
 *     grace, rather than its current one
 */
public record StoredKey(
    UUID id,
    String secretSha256,
    UUID tenantId,
    String tenantName,
    Set<String> scopes,
    Instant expiresAt,
    Instant revokedAt,
    Principal.Limits limits,
    boolean viaPreviousSecret) {

  public StoredKey {
    scopes = Set.copyOf(scopes);
    limits = Principal.Limits.orInherit(limits);
  }

  /** A key found by its current secret. */
  public StoredKey(
      UUID id,
      String secretSha256,
      UUID tenantId,
      String tenantName,
      Set<String> scopes,
      Instant expiresAt,
      Instant revokedAt,
      Principal.Limits limits) {
    this(id, secretSha256, tenantId, tenantName, scopes, expiresAt, revokedAt, limits, false);
  }

  Principal principal() {
    return new Principal(id, tenantId, tenantName, scopes, limits, expiresAt, viaPreviousSecret);
  }
}
