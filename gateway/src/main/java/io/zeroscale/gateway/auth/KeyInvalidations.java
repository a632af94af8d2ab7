package io.zeroscale.gateway.auth;

import io.zeroscale.api.RedisSchema;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.BaseStatusListener;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Mono;

/**
 * Spreads key revocations to every gateway through Redis pub/sub ({@link
 * RedisSchema#KEYS_INVALIDATED}), so that a revoked key is refused everywhere within a second. When
 * the subscription is (re)established after a Redis outage, messages may have been missed, so the
 * whole cache is dropped.
 */
public final class KeyInvalidations implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(KeyInvalidations.class);

  private final RedissonClient redisson;
  private final KeyAuthenticator authenticator;
  private volatile boolean running;

  public KeyInvalidations(RedissonClient redisson, KeyAuthenticator authenticator) {
    this.redisson = redisson;
    this.authenticator = authenticator;
  }

  /** Publishes an invalidation; also applies it locally at once (no round trip needed here). */
  public Mono<Void> publish(String message) {
    authenticator.invalidate(message);
    return redisson
        .reactive()
        .getTopic(RedisSchema.KEYS_INVALIDATED, StringCodec.INSTANCE)
        .publish(message)
        .then()
        .onErrorResume(
            e -> {
              // The database already says revoked; other gateways' caches expire within their TTL.
              log.warn("Could not publish a key invalidation: {}", e.toString());
              return Mono.empty();
            });
  }

  @Override
  public void start() {
    RTopic topic = redisson.getTopic(RedisSchema.KEYS_INVALIDATED, StringCodec.INSTANCE);
    topic.addListenerAsync(String.class, (channel, message) -> authenticator.invalidate(message));
    topic.addListenerAsync(
        new BaseStatusListener() {
          @Override
          public void onSubscribe(String channel) {
            authenticator.invalidate("*");
          }
        });
    running = true;
  }

  @Override
  public void stop() {
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
