package io.zeroscale.gateway.auth;

import io.zeroscale.gateway.web.ApiObjects;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code GET /api/v1/me}: what the calling key is (its tenant, or none for a platform key, and its
 * scopes), for any valid key and without a scope. The web console signs in with it and shows only
 * what the scopes allow; scripts use it to check a key. It answers nothing the caller does not
 * already hold: the secret is never echoed.
 */
@RestController
public class MeController {

  @GetMapping("/api/v1/me")
  public Map<String, Object> me(ServerWebExchange exchange) {
    Principal p = Principal.of(exchange);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("object", "api_key_identity");
    json.put("key_id", p.keyId() == null ? null : p.keyId().toString());
    json.put("tenant", p.tenantName());
    json.put("platform", !p.isTenant());
    json.put("scopes", new TreeSet<>(p.scopes()));
    json.put("expires_at", p.expiresAt() == null ? null : ApiObjects.time(p.expiresAt()));
    json.put("previous_secret", p.viaPreviousSecret());
    return json;
  }
}
