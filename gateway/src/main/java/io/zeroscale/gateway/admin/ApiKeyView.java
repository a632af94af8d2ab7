package io.zeroscale.gateway.admin;

import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.web.ApiObjects;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A key as listings show it: never the secret, which only the creation answer carries once.
 *
 * @param limits the key's own rate limits; null fields inherit the tenant's, then the default
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
    Instant createdAt) {

  public ApiKeyView {
    limits = Principal.Limits.orInherit(limits);
  }

  public Map<String, Object> json() {
    Map<String, Object> m = ApiObjects.of(id, "api_key");
    m.put("tenant", tenant);
    m.put("name", name);
    m.put("prefix", displayPrefix);
    m.put("scopes", scopes);
    m.put("expires_at", ApiObjects.time(expiresAt));
    limits.putInto(m);
    m.put("revoked_at", ApiObjects.time(revokedAt));
    m.put("created_at", createdAt.toString());
    return m;
  }
}
