package io.zeroscale.gateway.keys;

import io.zeroscale.gateway.admin.ApiKeyView;
import io.zeroscale.gateway.admin.KeyIssuer;
import io.zeroscale.gateway.admin.KeyRequests;
import io.zeroscale.gateway.admin.Tenant;
import io.zeroscale.gateway.admin.TenantStore;
import io.zeroscale.gateway.auth.AuthProperties;
import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.store.Sql;
import io.zeroscale.gateway.web.ApiObjects;
import io.zeroscale.gateway.web.InputBounds;
import io.zeroscale.gateway.web.JsonBody;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Self-service keys, {@code /api/v1/keys}: a tenant's keys managed with its own keys, no admin
 * needed. Reads need {@code keys:read} (or {@code keys:write}), changes {@code keys:write}; what a
 * key may hand on is {@link KeyGrants}'. Bodies and answers are the admin API's ({@link
 * KeyRequests}, {@link ApiKeyView}); another tenant's key is a 404 like an unknown one.
 */
@RestController
@RequestMapping("/api/v1/keys")
public class KeyController {

  private static final Set<String> ROTATE_FIELDS = Set.of("grace_s");

  private final TenantStore store;
  private final KeyIssuer keys;
  private final AuthProperties auth;
  private final Principal.Limits defaultLimits;
  private final Clock clock;

  /**
   * @param defaultLimits the configured default rate limits ({@code zeroscale.rate-limits.*}), what
   *     a key's limits come down to when neither it nor its tenant sets them
   */
  public KeyController(
      TenantStore store,
      KeyIssuer keys,
      AuthProperties auth,
      Principal.Limits defaultLimits,
      Clock clock) {
    this.store = store;
    this.keys = keys;
    this.auth = auth;
    this.defaultLimits = Principal.Limits.orInherit(defaultLimits);
    this.clock = clock;
  }

  /** 201 with the secret, shown this once. */
  @PostMapping
  public Mono<ResponseEntity<ApiKeyView.Json>> create(
      ServerWebExchange exchange, @RequestBody(required = false) String body) {
    Principal caller = Principal.of(exchange);
    UUID tenant = caller.requireKeysWrite();
    KeyRequests.NewKey asked = KeyRequests.parse(body, true, clock.instant());
    KeyGrants.Grant holder = KeyGrants.Grant.of(caller, defaultLimits);
    KeyRequests.NewKey key =
        asked.withLimits(KeyGrants.limitsToStore(asked.limits(), caller.limits()));
    KeyGrants.scopes(holder, key.scopes())
        .or(() -> KeyGrants.expiry(holder, key.expiresAt()))
        .or(() -> KeyGrants.limits(holder, key.limits()))
        .ifPresent(
            r -> {
              throw r.exception();
            });
    return keys.create(tenant, key)
        .map(json -> ResponseEntity.status(HttpStatus.CREATED).body(json));
  }

  /** The tenant's keys, revoked ones included, never with secrets. */
  @GetMapping
  public Mono<Map<String, Object>> list(ServerWebExchange exchange) {
    UUID tenant = Principal.of(exchange).requireKeysRead();
    return store.keys(tenant).map(ApiKeyView::json).collectList().map(ApiObjects::list);
  }

  @GetMapping("/{id}")
  public Mono<ApiKeyView.Json> get(ServerWebExchange exchange, @PathVariable("id") String id) {
    UUID tenant = Principal.of(exchange).requireKeysRead();
    return key(tenant, id).map(ApiKeyView::json);
  }

  /** 204; every gateway refuses the key within a second. */
  @DeleteMapping("/{id}")
  public Mono<ResponseEntity<Void>> revoke(
      ServerWebExchange exchange, @PathVariable("id") String id) {
    Principal caller = Principal.of(exchange);
    UUID tenant = caller.requireKeysWrite();
    return managed(caller, tenant, id)
        .flatMap(k -> keys.revoke(tenant, k.id().toString()))
        .thenReturn(ResponseEntity.noContent().build());
  }

  /**
   * A new secret for the key, shown this once; the old one works for {@code grace_s} seconds more
   * (default {@code zeroscale.auth.rotation-grace}, at most {@code max-rotation-grace}).
   */
  @PostMapping("/{id}/rotate")
  public Mono<ApiKeyView.Json> rotate(
      ServerWebExchange exchange,
      @PathVariable("id") String id,
      @RequestBody(required = false) String body) {
    Principal caller = Principal.of(exchange);
    UUID tenant = caller.requireKeysWrite();
    Integer graceS = null;
    if (body != null && !body.isBlank()) {
      graceS = JsonBody.parse(body).allowOnly(ROTATE_FIELDS).optionalInt("grace_s").orElse(null);
    }
    Duration grace = KeyGrants.grace(graceS, auth.rotationGrace(), auth.maxRotationGrace());
    return managed(caller, tenant, id)
        .flatMap(
            k -> {
              String why =
                  k.revokedAt() != null
                      ? "revoked"
                      : k.expiresAt() != null && !k.expiresAt().isAfter(clock.instant())
                          ? "expired"
                          : null;
              if (why != null) {
                return Mono.error(
                    new ZeroscaleException(
                        OpenAiError.of(
                            409,
                            "API key '" + k.id() + "' is " + why + "; create a new key instead.",
                            null,
                            "conflict")));
              }
              return keys.rotate(tenant, k.id(), grace);
            });
  }

  /** The key, when the caller may rotate or revoke it (see {@link KeyGrants#manages}). */
  private Mono<ApiKeyView> managed(Principal caller, UUID tenant, String id) {
    KeyGrants.Grant holder = KeyGrants.Grant.of(caller, defaultLimits);
    return key(tenant, id)
        .zipWith(
            store
                .findById(tenant)
                .map(Tenant::limits)
                .switchIfEmpty(Mono.error(() -> notFound(id))))
        .flatMap(
            t -> {
              ApiKeyView k = t.getT1();
              KeyGrants.Grant target =
                  new KeyGrants.Grant(
                      new HashSet<>(k.scopes()),
                      k.expiresAt(),
                      k.limits().orElse(t.getT2()).orElse(defaultLimits));
              return KeyGrants.manages(holder, target, caller.isKey(k.id()))
                  .<Mono<ApiKeyView>>map(r -> Mono.error(r.exception()))
                  .orElseGet(() -> Mono.just(k));
            });
  }

  /** A key of this tenant; 404 for another tenant's key, exactly as for an unknown one. */
  private Mono<ApiKeyView> key(UUID tenant, String id) {
    UUID keyId = Sql.parseUuid(id);
    if (keyId == null) {
      return Mono.error(notFound(id));
    }
    return store.findTenantKey(tenant, keyId).switchIfEmpty(Mono.error(() -> notFound(id)));
  }

  private static ZeroscaleException notFound(String id) {
    return new ZeroscaleException(
        OpenAiError.of(
            404, "No API key with id '" + InputBounds.echo(id) + "'.", null, "not_found"));
  }
}
