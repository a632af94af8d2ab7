package io.zeroscale.gateway.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * {@link RateStore} in memory, with simple arithmetic instead of a refilling bucket: a key may use
 * {@code perMinute} requests, then each refusal says retry in a minute / {@code perMinute} and the
 * bucket is full again a minute later. Counts its calls; can fail or hang on demand.
 */
final class FakeRateStore implements RateStore {

  final AtomicInteger calls = new AtomicInteger();
  final Map<UUID, Integer> used = new HashMap<>();
  final Map<UUID, Set<String>> slots = new HashMap<>();
  final List<String> released = new ArrayList<>();
  final List<String> renewed = new ArrayList<>();
  Instant renewedAt;
  Duration renewedLease;
  boolean down;
  boolean consumeHangs;

  @Override
  public synchronized Mono<Consumption> consume(UUID keyId, int perMinute) {
    calls.incrementAndGet();
    if (down) {
      return Mono.error(new IllegalStateException("Connection refused"));
    }
    if (consumeHangs) {
      return Mono.never();
    }
    int n = used.merge(keyId, 1, Integer::sum);
    Duration reset = Duration.ofMinutes(1);
    if (n > perMinute) {
      used.put(keyId, perMinute);
      return Mono.just(new Consumption.Rejected(Duration.ofMinutes(1).dividedBy(perMinute), reset));
    }
    return Mono.just(new Consumption.Consumed(perMinute - n, reset));
  }

  @Override
  public synchronized Mono<Boolean> acquire(
      UUID keyId, int max, String permit, Instant now, Duration lease) {
    calls.incrementAndGet();
    if (down) {
      return Mono.error(new IllegalStateException("Connection refused"));
    }
    Set<String> taken = slots.computeIfAbsent(keyId, k -> new HashSet<>());
    if (taken.size() >= max) {
      return Mono.just(false);
    }
    taken.add(permit);
    return Mono.just(true);
  }

  @Override
  public synchronized Mono<Void> release(UUID keyId, String permit) {
    calls.incrementAndGet();
    released.add(permit);
    Set<String> taken = slots.get(keyId);
    if (taken != null) {
      taken.remove(permit);
    }
    return Mono.empty();
  }

  @Override
  public synchronized Mono<Void> renew(
      UUID keyId, Collection<String> permits, Instant now, Duration lease) {
    calls.incrementAndGet();
    renewed.addAll(permits);
    renewedAt = now;
    renewedLease = lease;
    return Mono.empty();
  }

  synchronized int slotsTaken(UUID keyId) {
    return slots.getOrDefault(keyId, Set.of()).size();
  }
}
