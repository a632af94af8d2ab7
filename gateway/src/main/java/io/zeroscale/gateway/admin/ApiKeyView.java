package io.zeroscale.gateway.admin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A key as listings show it: never the secret, which only the creation answer carries once. */
public record ApiKeyView(
    UUID id,
    String tenant,
    String name,
    String displayPrefix,
    List<String> scopes,
    Instant expiresAt,
    Instant revokedAt,
    Instant createdAt) {

  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id.toString());
    m.put("object", "api_key");
    m.put("tenant", tenant);
    m.put("name", name);
    m.put("prefix", displayPrefix);
    m.put("scopes", scopes);
    m.put("expires_at", expiresAt == null ? null : expiresAt.toString());
    m.put("revoked_at", revokedAt == null ? null : revokedAt.toString());
    m.put("created_at", createdAt.toString());
    return m;
  }
}
