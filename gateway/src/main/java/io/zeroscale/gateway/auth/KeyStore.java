package io.zeroscale.gateway.auth;

import reactor.core.publisher.Mono;

/** Where keys are looked up by the hash of their secret; the database in production. */
@FunctionalInterface
public interface KeyStore {

  /** The key with this secret hash, or empty. */
  Mono<StoredKey> findBySecretHash(String secretSha256);
}
