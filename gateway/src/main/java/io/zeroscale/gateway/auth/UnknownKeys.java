package io.zeroscale.gateway.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Secret hashes the key store recently did not know (a negative cache), so that a client repeating
 * a wrong key costs one PostgreSQL query per time-to-live instead of one per request.
 *
 * <p>Bounded: at most {@code maxEntries} hashes, the oldest dropped first (10 000 ≈ 2 MB at ~200 B
 * each). Fresh: a new key's secret is random and shown only at its creation, so its hash can be
 * here only if someone presented that secret before it existed, or if a gateway read a database
 * replica that did not have the key yet. Either way key creation publishes the new hash on the
 * key-invalidation channel ({@link KeyInvalidations}), which drops it here on every gateway; the
 * time-to-live (30 s by default) bounds the rest, e.g. a message lost during a Redis outage.
 */
public final class UnknownKeys {

  private final Duration ttl;
  private final Map<String, Instant> expiries;

  /**
   * @param maxEntries hashes remembered at most; 0 turns the cache off
   * @param ttl how long a miss is believed
   */
  public UnknownKeys(int maxEntries, Duration ttl) {
    this.ttl = ttl;
    this.expiries =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > maxEntries;
          }
        };
  }

  /** Whether the store said it does not know {@code hash} less than a time-to-live ago. */
  public boolean contains(String hash, Instant now) {
    synchronized (expiries) {
      Instant expiry = expiries.get(hash);
      if (expiry == null) {
        return false;
      }
      if (expiry.isAfter(now)) {
        return true;
      }
      expiries.remove(hash);
      return false;
    }
  }

  public void add(String hash, Instant now) {
    synchronized (expiries) {
      // Re-inserted, so that it counts as the newest for eviction.
      expiries.remove(hash);
      expiries.put(hash, now.plus(ttl));
    }
  }

  public void remove(String hash) {
    synchronized (expiries) {
      expiries.remove(hash);
    }
  }

  public void clear() {
    synchronized (expiries) {
      expiries.clear();
    }
  }

  int size() {
    synchronized (expiries) {
      return expiries.size();
    }
  }
}
