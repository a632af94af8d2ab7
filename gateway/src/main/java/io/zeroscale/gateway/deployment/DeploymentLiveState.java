package io.zeroscale.gateway.deployment;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Port: the live instance counts and queue depths of deployments, owned by the activator and the
 * gateways' hold queues ({@link RedisLiveState}); {@link #NONE} answers zeros for everything. The
 * delete finalizer relies on it: a deployment is finalized only once it has no instances.
 */
public interface DeploymentLiveState {

  /** No instances anywhere: what is true until the activator runs any. */
  DeploymentLiveState NONE = ids -> Mono.just(Map.of());

  /** The state of each id; an id missing from the answer has {@link LiveState#NONE}. */
  Mono<Map<UUID, LiveState>> read(Collection<UUID> ids);

  /**
   * The autoscaler's decisions for a deployment, newest first, as their JSON text ({@code
   * zs:scaling-events:<id>}); none by default.
   */
  default Mono<List<String>> scalingEvents(UUID id) {
    return Mono.just(List.of());
  }

  default Mono<LiveState> read(UUID id) {
    return read(List.of(id)).map(m -> m.getOrDefault(id, LiveState.NONE));
  }
}
