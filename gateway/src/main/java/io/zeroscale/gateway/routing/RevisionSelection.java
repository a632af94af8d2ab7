package io.zeroscale.gateway.routing;

import io.zeroscale.api.InstanceEndpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * Which instances take new requests during a rollout (issue #19): the ready instances of the
 * deployment's current revision, or, while that revision has none ready yet, the ready instances of
 * the others (the old revision keeps serving, so no request waits for a boot). An instance of
 * another revision is then shown to the queue as draining: it takes nothing new, and the leases it
 * holds still come back, so no stream is cut. An endpoint of revision 0 (published before
 * revisions) counts as another revision.
 */
public final class RevisionSelection {

  private RevisionSelection() {}

  /**
   * The endpoints as the queue should use them. Worked case, current revision 2: {a: rev 1 ready,
   * b: rev 2 ready} → {a draining, b ready}; {a: rev 1 ready, c: rev 2 draining} → unchanged (rev 2
   * has no ready instance, rev 1 serves).
   */
  public static List<InstanceEndpoint> select(List<InstanceEndpoint> instances, int revision) {
    boolean currentReady = false;
    for (InstanceEndpoint e : instances) {
      if (e.acceptsNewRequests() && e.revision() == revision) {
        currentReady = true;
        break;
      }
    }
    if (!currentReady) {
      return instances;
    }
    List<InstanceEndpoint> out = new ArrayList<>(instances.size());
    for (InstanceEndpoint e : instances) {
      out.add(e.acceptsNewRequests() && e.revision() != revision ? draining(e) : e);
    }
    return out;
  }

  private static InstanceEndpoint draining(InstanceEndpoint e) {
    return new InstanceEndpoint(
        e.id(),
        e.deploymentId(),
        e.url(),
        InstanceEndpoint.State.DRAINING,
        e.version(),
        e.engineKey(),
        e.revision());
  }
}
