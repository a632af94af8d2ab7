package io.zeroscale.gateway.admin;

import io.zeroscale.gateway.auth.KeyInvalidations;
import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.web.ApiObjects;
import io.zeroscale.gateway.web.InputBounds;
import io.zeroscale.gateway.web.JsonBody;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** SPEC §4: tenants and keys, for keys with the {@code admin} scope. */
@RestController
@RequestMapping("/admin/v1")
public class AdminController {

  private static final String RPM = KeyRequests.RPM;
  private static final String CONCURRENT = KeyRequests.CONCURRENT;
  private static final Set<String> TENANT_FIELDS =
      Set.of("name", "gpu_quota", "spend_limit_usd", RPM, CONCURRENT);
  private static final Set<String> TENANT_PATCH_FIELDS =
      Set.of("gpu_quota", "spend_limit_usd", RPM, CONCURRENT);
  private static final int DEFAULT_GPU_QUOTA = 4;

  private final TenantStore store;
  private final KeyIssuer keys;
  private final KeyInvalidations invalidations;
  private final Clock clock;

  public AdminController(
      TenantStore store, KeyIssuer keys, KeyInvalidations invalidations, Clock clock) {
    this.store = store;
    this.keys = keys;
    this.invalidations = invalidations;
    this.clock = clock;
  }

  @PostMapping("/tenants")
  public Mono<ResponseEntity<Tenant.Json>> createTenant(
      ServerWebExchange exchange, @RequestBody(required = false) String body) {
    Principal.of(exchange).requireAdmin();
    JsonBody req = JsonBody.parse(body).allowOnly(TENANT_FIELDS);
    String name = req.requiredString("name");
    AdminRules.tenantName(name).ifPresent(p -> fail(req, "name", p));
    int quota = req.optionalInt("gpu_quota").orElse(DEFAULT_GPU_QUOTA);
    AdminRules.gpuQuota(quota).ifPresent(p -> fail(req, "gpu_quota", p));
    Long limit = req.optionalDecimal("spend_limit_usd").map(v -> micros(req, v)).orElse(null);
    Principal.Limits rateLimits = KeyRequests.rateLimits(req);
    return store
        .insert(name, quota, limit, rateLimits, clock.instant())
        .onErrorMap(
            DataIntegrityViolationException.class,
            e -> conflict("A tenant named '" + name + "' already exists.", "name"))
        .map(t -> ResponseEntity.status(HttpStatus.CREATED).body(t.json()));
  }

  @GetMapping("/tenants")
  public Mono<Map<String, Object>> listTenants(ServerWebExchange exchange) {
    Principal.of(exchange).requireAdmin();
    return store.list().map(Tenant::json).collectList().map(ApiObjects::list);
  }

  @GetMapping("/tenants/{tenant}")
  public Mono<Tenant.Json> getTenant(ServerWebExchange exchange, @PathVariable String tenant) {
    Principal.of(exchange).requireAdmin();
    return tenant(tenant).map(Tenant::json);
  }

  @PatchMapping("/tenants/{tenant}")
  public Mono<Tenant.Json> patchTenant(
      ServerWebExchange exchange,
      @PathVariable String tenant,
      @RequestBody(required = false) String body) {
    Principal.of(exchange).requireAdmin();
    JsonBody req = JsonBody.parse(body);
    if (req.has("name")) {
      throw req.invalid(
          "name", "A tenant's name is fixed: it is part of model names and invoice numbers.");
    }
    req.allowOnly(TENANT_PATCH_FIELDS);
    Integer quota = req.optionalInt("gpu_quota").orElse(null);
    if (req.isNull("gpu_quota")) {
      throw req.invalid("gpu_quota", "gpu_quota cannot be null.");
    }
    if (quota != null) {
      AdminRules.gpuQuota(quota).ifPresent(p -> fail(req, "gpu_quota", p));
    }
    boolean setLimit = req.has("spend_limit_usd");
    Long limit = req.optionalDecimal("spend_limit_usd").map(v -> micros(req, v)).orElse(null);
    // Absent: kept; null: reset to inherit the configured default; a value: replaces it.
    boolean setRpm = req.has(RPM);
    boolean setConcurrent = req.has(CONCURRENT);
    Principal.Limits rateLimits = KeyRequests.rateLimits(req);
    return tenant(tenant)
        .flatMap(
            t ->
                store
                    .update(
                        t.id(),
                        quota,
                        setLimit,
                        limit,
                        setRpm,
                        setConcurrent,
                        rateLimits,
                        clock.instant())
                    // Every gateway caches its keys' resolved limits with the key (auth cache):
                    // drop them so that the new limits apply at once, not after the cache TTL.
                    .flatMap(
                        updated ->
                            setRpm || setConcurrent
                                ? invalidations.publish("tenant:" + t.id()).thenReturn(updated)
                                : Mono.just(updated)))
        .map(Tenant::json);
  }

  @DeleteMapping("/tenants/{tenant}")
  public Mono<ResponseEntity<Void>> deleteTenant(
      ServerWebExchange exchange, @PathVariable String tenant) {
    Principal.of(exchange).requireAdmin();
    return tenant(tenant)
        .flatMap(
            t ->
                store
                    .liveDeployments(t.id())
                    .flatMap(
                        n -> {
                          if (n > 0) {
                            return Mono.error(
                                conflict(
                                    "Tenant '"
                                        + t.name()
                                        + "' still has "
                                        + n
                                        + " deployment(s); delete them first.",
                                    null));
                          }
                          return store
                              .softDelete(t.id(), clock.instant())
                              .then(invalidations.publish("tenant:" + t.id()));
                        }))
        .thenReturn(ResponseEntity.noContent().build());
  }

  @PostMapping("/tenants/{tenant}/keys")
  public Mono<ResponseEntity<ApiKeyView.Json>> createTenantKey(
      ServerWebExchange exchange,
      @PathVariable String tenant,
      @RequestBody(required = false) String body) {
    Principal.of(exchange).requireAdmin();
    KeyRequests.NewKey key = KeyRequests.parse(body, true, clock.instant());
    return tenant(tenant).flatMap(t -> created(keys.create(t.id(), key)));
  }

  @GetMapping("/tenants/{tenant}/keys")
  public Mono<Map<String, Object>> listTenantKeys(
      ServerWebExchange exchange, @PathVariable String tenant) {
    Principal.of(exchange).requireAdmin();
    return tenant(tenant)
        .flatMap(t -> store.keys(t.id()).map(ApiKeyView::json).collectList())
        .map(ApiObjects::list);
  }

  @DeleteMapping("/tenants/{tenant}/keys/{keyId}")
  public Mono<ResponseEntity<Void>> revokeTenantKey(
      ServerWebExchange exchange, @PathVariable String tenant, @PathVariable String keyId) {
    Principal.of(exchange).requireAdmin();
    return tenant(tenant)
        .flatMap(t -> keys.revoke(t.id(), keyId))
        .thenReturn(ResponseEntity.noContent().build());
  }

  @PostMapping("/keys")
  public Mono<ResponseEntity<ApiKeyView.Json>> createPlatformKey(
      ServerWebExchange exchange, @RequestBody(required = false) String body) {
    Principal.of(exchange).requireAdmin();
    return created(keys.create(null, KeyRequests.parse(body, false, clock.instant())));
  }

  @GetMapping("/keys")
  public Mono<Map<String, Object>> listPlatformKeys(ServerWebExchange exchange) {
    Principal.of(exchange).requireAdmin();
    return store.keys(null).map(ApiKeyView::json).collectList().map(ApiObjects::list);
  }

  @DeleteMapping("/keys/{keyId}")
  public Mono<ResponseEntity<Void>> revokePlatformKey(
      ServerWebExchange exchange, @PathVariable String keyId) {
    Principal.of(exchange).requireAdmin();
    return keys.revoke(null, keyId).thenReturn(ResponseEntity.noContent().build());
  }

  private static Mono<ResponseEntity<ApiKeyView.Json>> created(Mono<ApiKeyView.Json> key) {
    return key.map(json -> ResponseEntity.status(HttpStatus.CREATED).body(json));
  }

  private Mono<Tenant> tenant(String ref) {
    return store
        .find(ref)
        .switchIfEmpty(
            Mono.error(notFound("No tenant named or with id '" + InputBounds.echo(ref) + "'.")));
  }

  private static long micros(JsonBody req, java.math.BigDecimal usd) {
    try {
      return AdminRules.spendLimitMicros(usd);
    } catch (IllegalArgumentException e) {
      throw req.invalid("spend_limit_usd", e.getMessage());
    }
  }

  private static void fail(JsonBody req, String field, String problem) {
    throw req.invalid(field, problem);
  }

  private static ZeroscaleException notFound(String message) {
    return new ZeroscaleException(OpenAiError.of(404, message, null, "not_found"));
  }

  private static ZeroscaleException conflict(String message, String param) {
    return new ZeroscaleException(OpenAiError.of(409, message, param, "conflict"));
  }
}
