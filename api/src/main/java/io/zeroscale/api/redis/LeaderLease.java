package io.zeroscale.api.redis;

import io.zeroscale.api.RedisSchema;
import java.time.Duration;
import java.util.List;

/**
 * A leader lease on one Redis key ({@link RedisSchema#ACTIVATOR_LEADER}, {@link
 * RedisSchema#AUTOSCALER_LEADER}): the Lua scripts and their keys and arguments, so that the
 * activator and the autoscaler run the same ones.
 *
 * @param key the lease's key
 */
public record LeaderLease(String key) {

  /** The activator's lease. */
  public static final LeaderLease ACTIVATOR = new LeaderLease(RedisSchema.ACTIVATOR_LEADER);

  /** The autoscaler's lease. */
  public static final LeaderLease AUTOSCALER = new LeaderLease(RedisSchema.AUTOSCALER_LEADER);

  /**
   * Takes the lease when it is free, or extends it when ARGV[1] holds it; answers 1 when ARGV[1]
   * holds it now. One script, so that "is it mine" and "extend" cannot be split by another
   * contender's take. ARGV[2] is the time to live in milliseconds.
   */
  public static final String TAKE =
      """
      local holder = redis.call('GET', KEYS[1])
      if holder == ARGV[1] then
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
      end
      if not holder then
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
      end
      return 0
      """;

  /** Deletes the lease if ARGV[1] holds it (answers the number of keys deleted). */
  public static final String RELEASE =
      """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('DEL', KEYS[1])
      end
      return 0
      """;

  /** The scripts' KEYS. */
  public List<Object> keys() {
    return List.of(key);
  }

  /** {@link #TAKE}'s ARGV for holder {@code id} and time to live {@code ttl}. */
  public static Object[] takeArgs(String id, Duration ttl) {
    return new Object[] {id, Long.toString(ttl.toMillis())};
  }

  /** {@link #RELEASE}'s ARGV for holder {@code id}. */
  public static Object[] releaseArgs(String id) {
    return new Object[] {id};
  }

  /** What {@link #TAKE} answers when the caller holds the lease. */
  public static boolean held(long answer) {
    return answer == 1L;
  }
}
