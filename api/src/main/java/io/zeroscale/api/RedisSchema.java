package io.zeroscale.api;

/**
 * Every Redis key and pub/sub channel the services share, in one place. Values are JSON text (the
 * records of this package), so that any service, or an operator with {@code redis-cli}, can read
 * them.
 */
public final class RedisSchema {

  private static final String PREFIX = "zs:";

  /** Hash: deployment id → {@link DeploymentSpec} JSON, the full set of live deployments. */
  public static final String DEPLOYMENTS = PREFIX + "deployments";

  /**
   * Channel: a deployment changed; the message is its {@link DeploymentSpec} JSON (status {@code
   * deleted} when it is gone). Subscribers also resync from {@link #DEPLOYMENTS} periodically, so a
   * missed message heals.
   */
  public static final String DEPLOYMENT_CHANGED = PREFIX + "deployment-changed";

  /**
   * Channel: cached API-key lookups to drop at once on every gateway; the message is the key's
   * SHA-256, or {@code tenant:<id>} for all of a tenant's keys.
   */
  public static final String KEYS_INVALIDATED = PREFIX + "keys-invalidated";

  private RedisSchema() {}
}
