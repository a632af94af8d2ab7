package io.zeroscale.billing.limit;

import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.redis.DesiredReplicas;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.StringCodec;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Budgets in {@link RedisSchema#BUDGETS}, announced on {@link RedisSchema#BUDGET_CHANGED}.
 *
 * @param redis the Redis client
 * @param json the budgets' codec
 */
public record RedisBudgetBoard(RedissonReactiveClient redis, JsonMapper json)
    implements BudgetBoard {

  @Override
  public Mono<Void> publish(UUID tenantId, Budget b, long nowMillis) {
    String text = json(b, nowMillis);
    var map = redis.<String, String>getMap(RedisSchema.BUDGETS, StringCodec.INSTANCE);
    return map.get(tenantId.toString())
        .defaultIfEmpty("")
        .flatMap(
            old ->
                sameBudget(old, text)
                    ? Mono.<Void>empty()
                    : map.fastPut(tenantId.toString(), text)
                        .then(
                            redis
                                .getTopic(RedisSchema.BUDGET_CHANGED, StringCodec.INSTANCE)
                                .publish(tenantId.toString()))
                        .then());
  }

  /** Equal but for {@code at}: no write, no message (budgets are republished every pass). */
  private boolean sameBudget(String old, String text) {
    if (old.isEmpty()) {
      return false;
    }
    int a = old.lastIndexOf(",\"at\"");
    int b = text.lastIndexOf(",\"at\"");
    return a > 0 && b > 0 && old.substring(0, a).equals(text.substring(0, b));
  }

  String json(Budget b, long nowMillis) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("period", b.period().toString());
    m.put("limit_micros", b.limitMicros());
    m.put("remaining_micros", b.remainingMicros());
    m.put("at", nowMillis);
    return json.writeValueAsString(m);
  }

  @Override
  public Mono<Void> retain(Set<UUID> keep) {
    var map = redis.<String, String>getMap(RedisSchema.BUDGETS, StringCodec.INSTANCE);
    return map.readAllKeySet()
        .flatMap(
            keys -> {
              List<String> gone = new ArrayList<>();
              for (String k : keys) {
                if (keep.stream().noneMatch(u -> u.toString().equals(k))) {
                  gone.add(k);
                }
              }
              if (gone.isEmpty()) {
                return Mono.empty();
              }
              return map.fastRemove(gone.toArray(String[]::new))
                  .thenMany(
                      Flux.fromIterable(gone)
                          .concatMap(
                              k ->
                                  redis
                                      .getTopic(RedisSchema.BUDGET_CHANGED, StringCodec.INSTANCE)
                                      .publish(k)))
                  .then();
            });
  }

  @Override
  public Mono<Void> scaleToZero(List<UUID> deploymentIds, String reason, long nowMillis) {
    if (deploymentIds.isEmpty()) {
      return Mono.empty();
    }
    var desired = redis.<String, String>getMap(RedisSchema.DESIRED, StringCodec.INSTANCE);
    String text = DesiredReplicas.of(0, reason, Instant.ofEpochMilli(nowMillis)).write(json);
    Map<String, String> all = new LinkedHashMap<>();
    deploymentIds.forEach(id -> all.put(id.toString(), text));
    return desired.putAll(all);
  }

  @Override
  public Mono<Map<String, String>> idlePaid() {
    return redis.<String, String>getMap(RedisSchema.IDLE_PAID, StringCodec.INSTANCE).readAllMap();
  }
}
