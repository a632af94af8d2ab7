package io.zeroscale.api;

/**
 * Every Redis key and pub/sub channel the services share, in one place. Values are JSON text, so
 * that any service, or an operator with {@code redis-cli}, can read them; each payload has one
 * codec, named at its key ({@link io.zeroscale.api.json} for specs and endpoints, {@link
 * io.zeroscale.api.redis} for the rest), which every writer and reader uses.
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

  /**
   * Hash per deployment: instance id → {@link InstanceEndpoint} JSON, every instance that is ready
   * or draining. Written by the activator; mirrored in memory by every gateway.
   */
  public static String instances(String deploymentId) {
    return PREFIX + "instances:" + deploymentId;
  }

  /**
   * Channel: an instance changed; the message is its {@link InstanceEndpoint} JSON, or {@code
   * {"id":..,"deployment_id":..,"removed":true}} when it is gone.
   */
  public static final String INSTANCE_CHANGED = PREFIX + "instance-changed";

  /**
   * Sorted set: gateway id → expiry time (epoch ms) of its last heartbeat. Live gateways are the
   * members whose score is in the future; each takes its share of every instance's slots.
   */
  public static final String GATEWAYS = PREFIX + "gateways";

  /**
   * String with expiry, per deployment and gateway: that gateway's demand as {@code
   * {"queued":n,"in_flight":m,"at":epochMs}} ({@link io.zeroscale.api.redis.Demand}). Written by
   * each gateway; read by the autoscaler and the tenant API. A dead gateway's figures vanish with
   * the expiry.
   */
  public static String demand(String deploymentId, String gatewayId) {
    return PREFIX + "demand:" + deploymentId + ":" + gatewayId;
  }

  /** Pattern matching every gateway's demand key of a deployment (for SCAN). */
  public static String demandPattern(String deploymentId) {
    return PREFIX + "demand:" + deploymentId + ":*";
  }

  /** Channel: a gateway holds a request for a deployment with no ready instance; message = id. */
  public static final String WAKE_UP = PREFIX + "wake-up";

  /**
   * Hash: deployment id → desired replicas as {@code {"replicas":n,"reason":"…","at":epochMs}}
   * ({@link io.zeroscale.api.redis.DesiredReplicas}). Written by the autoscaler (compare-and-set),
   * by the activator (a wake-up that finds a deployment at zero; {@code 0} when a tenant's spend
   * limit is reached) and by billing (0 for every deployment of a tenant whose limit is reached);
   * the activator clamps it to {@code [min_instances, max_instances]}. The autoscaler adds {@code
   * "mode"}, {@code "demand"} and {@code "last_active"} (epoch ms of the last request it saw, so
   * that a new leader resumes the scale-to-zero countdown); readers (activator, autoscaler, tenant
   * API) ignore what they do not know.
   */
  public static final String DESIRED = PREFIX + "desired";

  /**
   * Hash: deployment id → what the activator runs for it, as {@code
   * {"desired":n,"pending":n,"starting":n,"ready":n,"draining":n,"at":epochMs,
   * "instances":[{"id":"…","phase":"pending|starting|ready|draining|stopping",
   * "scheduled_at":epochMs|null,"revision":n,"gpu":"…","in_flight":n}]}} ({@code revision}, {@code
   * gpu} and {@code in_flight} are left out when not known; readers ignore fields they do not know,
   * and an entry without them still reads); read by the tenant API ({@code instances}) and the
   * autoscaler (booting instances count as capacity; {@code scheduled_at} starts an instance's paid
   * first hour, for billing-aware scale-down, {@link io.zeroscale.api.scaling.StopOrder}). Codec:
   * {@link io.zeroscale.api.redis.LiveEntry}; written by the activator only.
   */
  public static final String LIVE = PREFIX + "live";

  /**
   * String with expiry: the id of the activator that leads (acts on every deployment); renewed by
   * it, taken over by another when it expires ({@link io.zeroscale.api.redis.LeaderLease}).
   */
  public static final String ACTIVATOR_LEADER = PREFIX + "activator:leader";

  /**
   * String with expiry: the id of the autoscaler that leads (decides and writes {@link #DESIRED});
   * renewed by it every tick, taken over by a standby when it expires ({@link
   * io.zeroscale.api.redis.LeaderLease}, the same scripts as the activator's).
   */
  public static final String AUTOSCALER_LEADER = PREFIX + "autoscaler:leader";

  /**
   * List per deployment, newest first, at most 100 entries (LPUSH + LTRIM): the autoscaler's
   * decisions that changed desired replicas, as {@code
   * {"at":epochMs,"from":n,"to":m,"mode":"stable|panic","demand":x,"reason":"…"}}. Read by {@code
   * GET /api/v1/deployments/{id}/events}; expires 7 days after the last decision.
   */
  public static String scalingEvents(String deploymentId) {
    return PREFIX + "scaling-events:" + deploymentId;
  }

  /**
   * Hash: tenant id → the tenant's spend-limit budget for the current month, as {@code
   * {"period":"2026-11","limit_micros":n,"remaining_micros":m,"at":epochMs}}, for tenants with a
   * limit. Written by billing; gateways refuse wake-ups it cannot pay for (402), the activator
   * scales a tenant with nothing left to zero.
   */
  public static final String BUDGETS = PREFIX + "budgets";

  /** Channel: a tenant's budget changed; the message is the tenant id. */
  public static final String BUDGET_CHANGED = PREFIX + "budget-changed";

  /**
   * Hash: deployment id → cumulative "idle but paid" seconds as a decimal string (e.g. {@code
   * "1834.5"}, HINCRBYFLOAT): instance time the autoscaler kept only because it was inside its
   * prepaid first hour (billing-aware scale-down). Written by the autoscaler; read by the tenant
   * API and the usage API. Never reset (a deleted deployment's figure stays).
   */
  public static final String IDLE_PAID = PREFIX + "idle-paid";

  /**
   * Hash: deployment id → what its instances may download the model with, as {@code
   * {"hf_token_sealed":"<base64>"|null,"platform_token":bool}} ({@link
   * io.zeroscale.api.redis.DeploymentCredentials}): the tenant's HF token sealed with {@code
   * zeroscale.secrets.key} for that deployment only, never in clear. Written by the control plane
   * when a deployment is created (its resync repairs a missing or outdated entry), read by the
   * activator at each launch, removed when the deployment is deleted.
   */
  public static final String CREDENTIALS = PREFIX + "credentials";

  /**
   * Hash per deployment and minute (epoch minute = epoch ms / 60000): gateway id → what that
   * gateway answered for the deployment in that minute, as {@code {"requests":{"2xx":n,…},
   * "latency":[counts per bucket],"ttft":[…],"tokens_in":n,"tokens_out":n,"queued":n,
   * "desired":n,"ready":n}} ({@code io.zeroscale.gateway.observe.MinuteSeries}). Written by each
   * gateway once a minute (HSET, expiry {@link #SERIES_RETENTION_DAYS} days); read by {@code GET
   * /api/v1/deployments/{id}/metrics}, after the deployment lookup that checks its tenant.
   */
  public static String series(String deploymentId, long epochMinute) {
    return PREFIX + "series:" + deploymentId + ":" + epochMinute;
  }

  /** How long the per-minute series of {@link #series} are kept. */
  public static final int SERIES_RETENTION_DAYS = 7;

  private RedisSchema() {}
}
