package io.zeroscale.api;

/**
 * A running instance of a deployment as the activator publishes it (see {@link RedisSchema}): where
 * to send requests and whether it may take new ones.
 *
 * @param id instance id, unique across the platform
 * @param deploymentId the deployment it serves
 * @param url base URL of its OpenAI-compatible server, e.g. {@code http://127.0.0.1:9100}
 * @param state {@link State#READY} takes requests; {@link State#DRAINING} finishes what it has and
 *     takes no new ones
 * @param version grows with every change of this instance, so a stale publication is dropped
 * @param engineKey the instance's own engine API key, which the gateway sends upstream as {@code
 *     Authorization: Bearer <key>}; null for an instance started without one (records written
 *     before engine keys existed). Never logged: {@link #toString()} masks it.
 * @param revision the deployment revision the instance runs; gateways route only to ready instances
 *     of the newest revision that has any; 0 for a record written before revisions (oldest of all)
 */
public record InstanceEndpoint(
    String id,
    String deploymentId,
    String url,
    State state,
    long version,
    String engineKey,
    int revision) {

  /** An endpoint of an instance that takes requests without a key. */
  public InstanceEndpoint(String id, String deploymentId, String url, State state, long version) {
    this(id, deploymentId, url, state, version, null, 0);
  }

  /** An endpoint of an instance of no known revision. */
  public InstanceEndpoint(
      String id, String deploymentId, String url, State state, long version, String engineKey) {
    this(id, deploymentId, url, state, version, engineKey, 0);
  }

  /** Only ready instances are published; an instance that is gone is removed. */
  public enum State {
    READY,
    DRAINING
  }

  public boolean acceptsNewRequests() {
    return state == State.READY;
  }

  @Override
  public String toString() {
    return "InstanceEndpoint[id="
        + id
        + ", deploymentId="
        + deploymentId
        + ", url="
        + url
        + ", state="
        + state
        + ", version="
        + version
        + ", engineKey="
        + (engineKey == null ? "none" : "***")
        + ", revision="
        + revision
        + "]";
  }
}
