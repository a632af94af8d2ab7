package io.zeroscale.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class KeyAuthenticatorTest {

  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final UUID TENANT = UUID.randomUUID();

  /** Key store fake: a map, a call counter and a switch to make it fail. */
  static final class FakeStore implements KeyStore {
    final Map<String, StoredKey> keys = new HashMap<>();
    final AtomicInteger calls = new AtomicInteger();
    boolean down;

    @Override
    public Mono<StoredKey> findBySecretHash(String hash) {
      calls.incrementAndGet();
      if (down) {
        return Mono.error(new IllegalStateException("connection refused"));
      }
      return Mono.justOrEmpty(keys.get(hash));
    }
  }

  private final MutableClock clock = MutableClock.at(T0);
  private final FakeStore store = new FakeStore();
  private static final String ADMIN_KEY = "bootstrap-admin-" + "k".repeat(16);
  private static final String CLIENT = "192.0.2.7";

  private final KeyAuthenticator auth =
      new KeyAuthenticator(store, ADMIN_KEY, clock, AuthProperties.defaults());
  private final String secret = new ApiKeys(new SecureRandom()).newSecret();

  private StoredKey key(Instant expires, Instant revoked) {
    return new StoredKey(
        UUID.randomUUID(),
        ApiKeys.hash(secret),
        TENANT,
        "acme",
        Set.of("inference:*"),
        expires,
        revoked,
        null);
  }

  private AuthResult authenticate(String s) {
    return authenticate(s, CLIENT);
  }

  private AuthResult authenticate(String s, String client) {
    return auth.authenticate(s, client).block(Duration.ofSeconds(5));
  }

  @Test
  void bootstrapAdminKeyGetsTheAdminScopeWithoutTheStore() {
    AuthResult r = authenticate(ADMIN_KEY);
    assertThat(r).isInstanceOf(AuthResult.Authenticated.class);
    Principal p = ((AuthResult.Authenticated) r).principal();
    assertThat(p.has(Scope.ADMIN)).isTrue();
    assertThat(p.isTenant()).isFalse();
    assertThat(store.calls).hasValue(0);
  }

  @Test
  void missingMalformedAndUnknownKeysAreRejectedWithDistinctCodes() {
    assertThat(authenticate(null))
        .isEqualTo(
            new AuthResult.Rejected(
                "Missing API key. Send it as 'Authorization: Bearer <key>'.", "missing_api_key"));
    assertThat(authenticate("sk-not-ours")).isInstanceOf(AuthResult.Rejected.class);
    assertThat(store.calls).as("malformed keys never reach the store").hasValue(0);
    assertThat(authenticate(secret))
        .isEqualTo(new AuthResult.Rejected("Incorrect API key provided.", "invalid_api_key"));
  }

  @Test
  void aPrincipalKnowsWhetherItPresentedTheRotatedOutSecret() {
    StoredKey current = key(null, null);
    store.keys.put(ApiKeys.hash(secret), current);
    Principal p = ((AuthResult.Authenticated) authenticate(secret)).principal();
    assertThat(p.viaPreviousSecret()).isFalse();
    assertThat(p.isKey(current.id())).isTrue();

    String old = new ApiKeys(new SecureRandom()).newSecret();
    StoredKey previous =
        new StoredKey(
            current.id(),
            ApiKeys.hash(old),
            TENANT,
            "acme",
            Set.of("inference:*", "keys:write"),
            T0.plusSeconds(600),
            null,
            null,
            true);
    store.keys.put(ApiKeys.hash(old), previous);
    Principal q = ((AuthResult.Authenticated) authenticate(old)).principal();
    assertThat(q.viaPreviousSecret()).isTrue();
    assertThat(q.isKey(current.id())).isFalse();
  }

  @Test
  void aValidKeyIsCachedForTheTtl() {
    store.keys.put(ApiKeys.hash(secret), key(null, null));
    assertThat(authenticate(secret)).isInstanceOf(AuthResult.Authenticated.class);
    assertThat(authenticate(secret)).isInstanceOf(AuthResult.Authenticated.class);
    assertThat(store.calls).hasValue(1);
    clock.set(T0.plusSeconds(61));
    assertThat(authenticate(secret)).isInstanceOf(AuthResult.Authenticated.class);
    assertThat(store.calls).hasValue(2);
  }

  @Test
  void thePrincipalCarriesTheExpiryOfThePresentedSecret() {
    // What a key may hand on to keys it creates is bounded by it (KeyGrants).
    store.keys.put(ApiKeys.hash(secret), key(T0.plusSeconds(10), null));
    AuthResult r = authenticate(secret);
    assertThat(((AuthResult.Authenticated) r).principal().expiresAt())
        .isEqualTo(T0.plusSeconds(10));
  }

  @Test
  void expiryIsCheckedOnEveryCallEvenFromCache() {
    store.keys.put(ApiKeys.hash(secret), key(T0.plusSeconds(10), null));
    assertThat(authenticate(secret)).isInstanceOf(AuthResult.Authenticated.class);
    clock.set(T0.plusSeconds(10));
    assertThat(authenticate(secret))
        .isEqualTo(new AuthResult.Rejected("This API key has expired.", "expired_api_key"));
  }

  @Test
  void aKeyPassesUntilTheInstantItExpiresAndNotFromThen() {
    // What AdminApiIT cannot time end to end on a loaded machine: expiry to the instant.
    Instant expires = T0.plusSeconds(3);
    store.keys.put(ApiKeys.hash(secret), key(expires, null));
    clock.set(expires.minusMillis(1));
    assertThat(authenticate(secret)).isInstanceOf(AuthResult.Authenticated.class);
    clock.advanceMillis(1);
    assertThat(authenticate(secret))
        .as("from the cache, at the expiry instant")
        .isEqualTo(new AuthResult.Rejected("This API key has expired.", "expired_api_key"));
    assertThat(store.calls).hasValue(1);
    // Looked up afresh past its expiry (another gateway, a cold cache): refused just the same.
    KeyAuthenticator cold =
        new KeyAuthenticator(store, ADMIN_KEY, clock, AuthProperties.defaults());
    assertThat(cold.authenticate(secret, CLIENT).block(Duration.ofSeconds(5)))
        .isEqualTo(new AuthResult.Rejected("This API key has expired.", "expired_api_key"));
  }

  @Test
  void invalidationDropsTheCachedKeySoARevocationIsSeenAtOnce() {
    store.keys.put(ApiKeys.hash(secret), key(null, null));
    assertThat(authenticate(secret)).isInstanceOf(AuthResult.Authenticated.class);
    store.keys.put(ApiKeys.hash(secret), key(null, T0));
    assertThat(authenticate(secret))
        .as("still cached")
        .isInstanceOf(AuthResult.Authenticated.class);
    auth.invalidate(ApiKeys.hash(secret));
    assertThat(authenticate(secret))
        .isEqualTo(new AuthResult.Rejected("This API key has been revoked.", "invalid_api_key"));
  }

  @Test
  void tenantAndGlobalInvalidation() {
    store.keys.put(ApiKeys.hash(secret), key(null, null));
    authenticate(secret);
    assertThat(auth.cachedEntries()).isEqualTo(1);
    auth.invalidate("tenant:" + UUID.randomUUID());
    assertThat(auth.cachedEntries()).isEqualTo(1);
    auth.invalidate("tenant:" + TENANT);
    assertThat(auth.cachedEntries()).isZero();
    authenticate(secret);
    auth.invalidate("*");
    assertThat(auth.cachedEntries()).isZero();
  }

  @Test
  void storeOutageServesKnownKeysFromCacheAndFailsClosedForOthers() {
    store.keys.put(ApiKeys.hash(secret), key(null, null));
    authenticate(secret);
    store.down = true;
    clock.set(T0.plusSeconds(3600));
    assertThat(authenticate(secret))
        .as("seen before, served past its TTL")
        .isInstanceOf(AuthResult.Authenticated.class);
    String other = new ApiKeys(new SecureRandom()).newSecret();
    assertThat(authenticate(other)).isInstanceOf(AuthResult.Unavailable.class);
  }

  @Test
  void anUnknownKeyCostsOneLookupPerTimeToLive() {
    assertThat(authenticate(secret)).isEqualTo(AuthResult.INVALID_KEY);
    assertThat(authenticate(secret)).isEqualTo(AuthResult.INVALID_KEY);
    assertThat(store.calls).as("the second miss comes from memory").hasValue(1);
    clock.advance(Duration.ofSeconds(30));
    assertThat(authenticate(secret)).isEqualTo(AuthResult.INVALID_KEY);
    assertThat(store.calls).as("believed for 30 s").hasValue(2);
  }

  @Test
  void aKeyCreatedAfterAMissIsAcceptedOnceItsHashIsInvalidated() {
    assertThat(authenticate(secret)).isEqualTo(AuthResult.INVALID_KEY);
    store.keys.put(ApiKeys.hash(secret), key(null, null));
    assertThat(authenticate(secret))
        .as("still remembered as unknown")
        .isEqualTo(AuthResult.INVALID_KEY);
    // What key creation publishes to every gateway.
    auth.invalidate(ApiKeys.hash(secret));
    assertThat(authenticate(secret)).isInstanceOf(AuthResult.Authenticated.class);

    String other = new ApiKeys(new SecureRandom()).newSecret();
    authenticate(other);
    store.keys.put(ApiKeys.hash(other), key(null, null));
    auth.invalidate("*");
    assertThat(authenticate(other))
        .as("a Redis reconnection drops misses too")
        .isInstanceOf(AuthResult.Authenticated.class);
  }

  @Test
  void twentyFailuresFromOneAddressThenTooManyRequestsWithoutALookup() {
    ApiKeys keys = new ApiKeys(new SecureRandom());
    for (int i = 0; i < 20; i++) {
      assertThat(authenticate(keys.newSecret())).isEqualTo(AuthResult.INVALID_KEY);
    }
    assertThat(store.calls).hasValue(20);
    assertThat(authenticate(keys.newSecret()))
        .isEqualTo(new AuthResult.Throttled(Duration.ofMillis(500)));
    assertThat(authenticate("not-even-our-format")).isInstanceOf(AuthResult.Throttled.class);
    assertThat(authenticate(ADMIN_KEY))
        .as("a guessable admin key is not checked for a throttled address")
        .isInstanceOf(AuthResult.Throttled.class);
    assertThat(store.calls).as("nothing looked up while throttled").hasValue(20);
    assertThat(authenticate(keys.newSecret(), "198.51.100.1"))
        .as("another address")
        .isEqualTo(AuthResult.INVALID_KEY);
    assertThat(authenticate(null)).as("no key is no attempt").isEqualTo(AuthResult.MISSING_KEY);
    clock.advanceMillis(500);
    assertThat(authenticate(ADMIN_KEY)).isInstanceOf(AuthResult.Authenticated.class);
  }

  @Test
  void aKeyAlreadyVerifiedStillPassesFromAThrottledAddress() {
    store.keys.put(ApiKeys.hash(secret), key(null, null));
    assertThat(authenticate(secret)).isInstanceOf(AuthResult.Authenticated.class);
    for (int i = 0; i < 20; i++) {
      authenticate("wrong-" + i);
    }
    assertThat(authenticate("wrong")).isInstanceOf(AuthResult.Throttled.class);
    assertThat(authenticate(secret))
        .as("a neighbour behind the same address with a cached key")
        .isInstanceOf(AuthResult.Authenticated.class);
  }

  @Test
  void successesDoNotCountAndMalformedKeysDo() {
    for (int i = 0; i < 100; i++) {
      assertThat(authenticate(ADMIN_KEY)).isInstanceOf(AuthResult.Authenticated.class);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(authenticate("sk-" + i)).isEqualTo(AuthResult.INVALID_KEY);
    }
    assertThat(authenticate("sk-x")).isInstanceOf(AuthResult.Throttled.class);
  }

  @Test
  void aRevokedKeyRetriedInALoopIsThrottledLikeAGuess() {
    store.keys.put(ApiKeys.hash(secret), key(null, T0));
    for (int i = 0; i < 20; i++) {
      assertThat(authenticate(secret)).isInstanceOf(AuthResult.Rejected.class);
    }
    assertThat(authenticate(secret)).isInstanceOf(AuthResult.Throttled.class);
    assertThat(store.calls).as("one lookup, the rest from the cache").hasValue(1);
  }

  @Test
  void anAdminKeyShorterThan32CharactersIsRefusedAtStart() {
    assertThatThrownBy(
            () -> new KeyAuthenticator(store, "short-admin-key", clock, AuthProperties.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ZEROSCALE_ADMIN_KEY")
        .hasMessageContaining("at least 32 characters")
        .hasMessageNotContaining("short-admin-key");
    assertThat(new KeyAuthenticator(store, null, clock, AuthProperties.defaults())).isNotNull();
    assertThat(new KeyAuthenticator(store, " ", clock, AuthProperties.defaults()))
        .as("blank: no bootstrap key")
        .isNotNull();
  }
}
