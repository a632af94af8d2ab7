package io.zeroscale.gateway.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Resolves a presented secret to a {@link Principal}, with an in-memory cache in front of the key
 * store so that the request path does not query PostgreSQL for every call.
 *
 * <p>Freshness: a revocation is published on Redis and drops the cached entry on every gateway at
 * once ({@link #invalidate(String)}); the cache's time-to-live (60 s by default) bounds how long a
 * revoked key could still pass if that message were lost, and a Redis reconnection clears the whole
 * cache. Expiry is checked on every call against the injected clock.
 *
 * <p>Failure policy (a written decision per dependency): auth fails closed. If the key store cannot
 * answer, a key seen before is served from the cache even past its time-to-live (it was valid when
 * last seen, and revocations still arrive by Redis); an unknown key gets 503, never a pass. Logs
 * carry the key's display prefix at most, never the secret.
 */
public final class KeyAuthenticator {

  private static final Logger log = LoggerFactory.getLogger(KeyAuthenticator.class);

  /** Bounds memory under a flood of random keys: 100k entries ≈ 30 MB at ~300 B each. */
  static final int MAX_ENTRIES = 100_000;

  private final KeyStore store;
  private final String adminKeyHash;
  private final Clock clock;
  private final Duration ttl;
  private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(StoredKey key, Instant loadedAt) {}

  /**
   * @param adminKey the bootstrap admin key from configuration ({@code ZEROSCALE_ADMIN_KEY}); any
   *     string, not necessarily of our key format
   */
  public KeyAuthenticator(KeyStore store, String adminKey, Clock clock, Duration ttl) {
    this.store = store;
    this.adminKeyHash = adminKey == null || adminKey.isBlank() ? null : ApiKeys.hash(adminKey);
    this.clock = clock;
    this.ttl = ttl;
  }

  public Mono<AuthResult> authenticate(String secret) {
    if (secret == null || secret.isEmpty()) {
      return Mono.just(missing());
    }
    if (adminKeyHash != null && ApiKeys.matches(secret, adminKeyHash)) {
      return Mono.just(
          new AuthResult.Authenticated(new Principal(null, null, null, Set.of(Scopes.ADMIN))));
    }
    if (!ApiKeys.looksLikeSecret(secret)) {
      return Mono.just(invalid());
    }
    String hash = ApiKeys.hash(secret);
    Instant now = clock.instant();
    Cached cached = cache.get(hash);
    if (cached != null && cached.loadedAt().plus(ttl).isAfter(now)) {
      return Mono.just(check(cached.key(), now));
    }
    return store
        .findBySecretHash(hash)
        .map(
            key -> {
              remember(hash, key, now);
              return check(key, now);
            })
        .switchIfEmpty(Mono.fromSupplier(KeyAuthenticator::invalid))
        .onErrorResume(
            e -> {
              if (cached != null) {
                log.warn(
                    "Key store unavailable ({}); serving key {} from cache",
                    e.toString(),
                    cached.key().id());
                return Mono.just(check(cached.key(), now));
              }
              log.warn("Key store unavailable ({}); refusing an uncached key", e.toString());
              return Mono.just(
                  new AuthResult.Unavailable(
                      "Authentication is temporarily unavailable. Retry shortly."));
            });
  }

  private AuthResult check(StoredKey key, Instant now) {
    if (key.revokedAt() != null && !key.revokedAt().isAfter(now)) {
      return new AuthResult.Rejected("This API key has been revoked.", "invalid_api_key");
    }
    if (key.expiresAt() != null && !key.expiresAt().isAfter(now)) {
      return new AuthResult.Rejected("This API key has expired.", "expired_api_key");
    }
    return new AuthResult.Authenticated(key.principal());
  }

  private void remember(String hash, StoredKey key, Instant now) {
    if (cache.size() >= MAX_ENTRIES) {
      cache.clear();
    }
    cache.put(hash, new Cached(key, now));
  }

  /**
   * Drops cached lookups: {@code message} is a key's secret hash, {@code tenant:<uuid>} for every
   * key of a tenant, or {@code *} for everything.
   */
  public void invalidate(String message) {
    if ("*".equals(message)) {
      cache.clear();
    } else if (message.startsWith("tenant:")) {
      UUID tenant = UUID.fromString(message.substring("tenant:".length()));
      cache.values().removeIf(c -> tenant.equals(c.key().tenantId()));
    } else {
      cache.remove(message);
    }
  }

  int cachedEntries() {
    return cache.size();
  }

  private static AuthResult missing() {
    return new AuthResult.Rejected(
        "Missing API key. Send it as 'Authorization: Bearer <key>'.", "missing_api_key");
  }

  private static AuthResult invalid() {
    return new AuthResult.Rejected("Incorrect API key provided.", "invalid_api_key");
  }
}
