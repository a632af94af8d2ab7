package io.zeroscale.standalone;

import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What of a deployment's tenant-API JSON stays put between two reads, and what the background loops
 * change on their own: the autoscaler's latest decision, the activator's instance counts and the
 * gateways' queue depth. Tests compare the stable part whole and read the live fields on their own,
 * after waiting for the state they expect (never comparing a snapshot of a live field).
 */
final class DeploymentJson {

  /** Fields a background loop rewrites at any time while the deployment exists. */
  static final List<String> LIVE = List.of("instances", "queue_depth", "autoscaler");

  private DeploymentJson() {}

  /** A copy of one deployment without its {@link #LIVE} fields. */
  static ObjectNode stable(JsonNode deployment) {
    ObjectNode copy = ((ObjectNode) deployment).deepCopy();
    copy.remove(LIVE);
    return copy;
  }

  /** {@link #stable} of each deployment of a JSON array, in order. */
  static List<ObjectNode> stableAll(JsonNode deployments) {
    List<ObjectNode> out = new java.util.ArrayList<>();
    deployments.forEach(d -> out.add(stable(d)));
    return out;
  }
}
