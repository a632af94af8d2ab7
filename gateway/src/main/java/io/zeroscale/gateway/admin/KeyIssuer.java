package io.zeroscale.gateway.admin;

import io.zeroscale.gateway.auth.ApiKeys;
import io.zeroscale.gateway.auth.KeyInvalidations;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.store.Sql;
import io.zeroscale.gateway.web.InputBounds;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Creates, revokes and rotates keys for the admin API and the tenant API alike: the secret is
 * generated here, shown once in the answer and stored only as its hash, and every change is
 * published on Redis ({@link KeyInvalidations}) so that every gateway sees it within a second.
 */
public final class KeyIssuer {

  private final TenantStore store;
  private final ApiKeys apiKeys;
  private final KeyInvalidations invalidations;
  private final Clock clock;

  public KeyIssuer(
      TenantStore store, ApiKeys apiKeys, KeyInvalidations invalidations, Clock clock) {
    this.store = store;
    this.apiKeys = apiKeys;
    this.invalidations = invalidations;
    this.clock = clock;
  }

  /** Creates the key ({@code tenantId} null: a platform key); answers it with its secret. */
  public Mono<ApiKeyView.Json> create(UUID tenantId, KeyRequests.NewKey key) {
    String secret = apiKeys.newSecret();
    String hash = ApiKeys.hash(secret);
    return store
        .insertKey(
            tenantId,
            key.name(),
            hash,
            ApiKeys.displayPrefix(secret),
            key.scopes(),
            key.expiresAt(),
            key.limits(),
            clock.instant())
        // A gateway that remembered this hash as unknown (see UnknownKeys) forgets it now.
        .flatMap(view -> invalidations.publish(hash).thenReturn(view.json(secret)));
  }

  /**
   * Revokes a key of this tenant ({@code tenantId} null: a platform key) on every gateway; 404 when
   * it has no such key. Revoking a revoked key again changes nothing.
   */
  public Mono<Void> revoke(UUID tenantId, String keyId) {
    UUID id = Sql.parseUuid(keyId);
    if (id == null) {
      return Mono.error(notFound(keyId));
    }
    return store
        .revokeKey(tenantId, id, clock.instant())
        .switchIfEmpty(Mono.error(() -> notFound(keyId)))
        .flatMapMany(Flux::fromIterable)
        .concatMap(invalidations::publish)
        .then();
  }

  /**
   * Gives a live key of this tenant a new secret; the old one keeps working for {@code grace}
   * (zero: it stops at once, on every gateway). Answers the key with its new secret, and with the
   * end of the old one's grace when there is one; 404 when the tenant has no such live key.
   */
  public Mono<ApiKeyView.Json> rotate(UUID tenantId, UUID keyId, Duration grace) {
    Instant now = clock.instant();
    Instant graceUntil = grace.isZero() ? null : now.plus(grace);
    String secret = apiKeys.newSecret();
    String hash = ApiKeys.hash(secret);
    return store
        .rotateKey(tenantId, keyId, hash, ApiKeys.displayPrefix(secret), graceUntil, now)
        .switchIfEmpty(Mono.error(() -> notFound(keyId.toString())))
        // The old secret's cached lookup goes (it comes back with the grace as its expiry), so
        // does a miss remembered for the new hash.
        .flatMapMany(old -> Flux.fromIterable(old).concatWithValues(hash))
        .concatMap(invalidations::publish)
        .then(store.findKey(keyId))
        .map(view -> view.json(secret));
  }

  static ZeroscaleException notFound(String keyId) {
    return new ZeroscaleException(
        OpenAiError.of(
            404, "No API key with id '" + InputBounds.echo(keyId) + "'.", null, "not_found"));
  }
}
