package io.zeroscale.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
 * <p>Cost of wrong keys: a secret that is not of our format never reaches the store; one the store
 * did not know is remembered for a while ({@link UnknownKeys}); and a client address that fails too
 * often is answered 429 without any lookup ({@link FailedAuthThrottle}). While an address is
 * throttled only keys this gateway has already verified still pass: guessing one of those is out of
 * reach (238 random bits), whereas the bootstrap admin key may be any string of 32 characters or
 * more, so it is not checked for a throttled address.
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

  private static final Principal BOOTSTRAP_ADMIN =
      new Principal(null, null, null, Set.of(Scope.ADMIN.wire()));

  private final KeyStore store;
  private final byte[] adminKeyHash;
  private final Clock clock;
  private final Duration ttl;
  private final UnknownKeys unknown;
  private final FailedAuthThrottle throttle;
  private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

  /** Told each time a cached key is served because the key store did not answer (a metric). */
  private volatile Runnable servedStale = () -> {};

  private record Cached(StoredKey key, Instant loadedAt) {}

  /**
   * @param adminKey the bootstrap admin key from configuration ({@code ZEROSCALE_ADMIN_KEY}); null
   *     or blank for none, else any string of at least {@value ApiKeys#ADMIN_KEY_MIN_LENGTH}
   *     characters, not necessarily of our key format
   * @throws IllegalArgumentException when the admin key is too short
   */
  public KeyAuthenticator(KeyStore store, String adminKey, Clock clock, AuthProperties properties) {
    ApiKeys.adminKeyProblem(adminKey)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
    this.store = store;
    this.adminKeyHash =
        adminKey == null || adminKey.isBlank()
            ? null
            : ApiKeys.hash(adminKey).getBytes(StandardCharsets.US_ASCII);
    this.clock = clock;
    this.ttl = properties.cacheTtl();
    this.unknown = properties.unknownKeys();
    this.throttle = properties.throttle();
  }

  /** Sets what is told of each key served from the cache because the key store did not answer. */
  public void onServedStale(Runnable counter) {
    this.servedStale = counter;
  }

  /**
   * @param secret the presented secret, null when none was sent
   * @param client the client's address as {@link FailedAuthThrottle} keys it
   */
  public Mono<AuthResult> authenticate(String secret, String client) {
    if (secret == null || secret.isEmpty()) {
      return Mono.just(AuthResult.MISSING_KEY);
    }
    String hash = ApiKeys.hash(secret);
    Instant now = clock.instant();
    Cached cached = cache.get(hash);
    if (cached != null && cached.loadedAt().plus(ttl).isAfter(now)) {
      return Mono.just(failIfRejected(check(cached.key(), now), client, now));
    }
    Duration wait = throttle.blockedFor(client, now);
    if (wait.isPositive()) {
      return Mono.just(new AuthResult.Throttled(wait));
    }
    if (adminKeyHash != null
        && MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII), adminKeyHash)) {
      return Mono.just(new AuthResult.Authenticated(BOOTSTRAP_ADMIN));
    }
    if (!ApiKeys.looksLikeSecret(secret) || unknown.contains(hash, now)) {
      return Mono.just(failIfRejected(AuthResult.INVALID_KEY, client, now));
    }
    return store
        .findBySecretHash(hash)
        .map(
            key -> {
              remember(hash, key, now);
              return failIfRejected(check(key, now), client, now);
            })
        .switchIfEmpty(
            Mono.fromSupplier(
                () -> {
                  unknown.add(hash, now);
                  return failIfRejected(AuthResult.INVALID_KEY, client, now);
                }))
        .onErrorResume(
            e -> {
              if (cached != null) {
                log.warn(
                    "Key store unavailable ({}); serving key {} from cache",
                    e.toString(),
                    cached.key().id());
                servedStale.run();
                return Mono.just(failIfRejected(check(cached.key(), now), client, now));
              }
              log.warn("Key store unavailable ({}); refusing an uncached key", e.toString());
              return Mono.just(
                  new AuthResult.Unavailable(
                      "Authentication is temporarily unavailable. Retry shortly."));
            });
  }

  /**
   * A rejection counts against the client's address; one from an address that is already throttled
   * becomes the 429 (a revoked key retried in a loop is throttled like a guess).
   */
  private AuthResult failIfRejected(AuthResult result, String client, Instant now) {
    if (!(result instanceof AuthResult.Rejected)) {
      return result;
    }
    Duration wait = throttle.blockedFor(client, now);
    if (wait.isPositive()) {
      return new AuthResult.Throttled(wait);
    }
    throttle.recordFailure(client, now);
    return result;
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
   * Drops cached lookups: {@code message} is a key's secret hash (revoked, or just created: a miss
   * remembered for it goes too), {@code tenant:<uuid>} for every key of a tenant, or {@code *} for
   * everything.
   */
  public void invalidate(String message) {
    if ("*".equals(message)) {
      cache.clear();
      unknown.clear();
    } else if (message.startsWith("tenant:")) {
      UUID tenant = UUID.fromString(message.substring("tenant:".length()));
      cache.values().removeIf(c -> tenant.equals(c.key().tenantId()));
    } else {
      cache.remove(message);
      unknown.remove(message);
    }
  }

  int cachedEntries() {
    return cache.size();
  }
}
