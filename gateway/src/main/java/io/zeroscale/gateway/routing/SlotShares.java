package io.zeroscale.gateway.routing;

/**
 * How many of an instance's {@code max_batch_size} slots this gateway may use, so that all live
 * gateways together never exceed it (Knative activator's capacity split, without a Redis round trip
 * per request).
 *
 * <p>Each of {@code g} gateways (ranked 0..g-1 by id, the same order everywhere) gets {@code b / g}
 * slots, and the {@code b % g} left over go to the ranks {@code (rank + instanceIndex) % g < b %
 * g}, so the remainder lands on a different gateway for each instance. Worked example, b = 3, g =
 * 2, two instances: instance 0 gives rank 0 two slots and rank 1 one; instance 1 gives rank 0 one
 * and rank 1 two; each instance's shares add up to 3.
 *
 * <p>When {@code b < g}, strict shares would leave some gateways with no slot at all on a
 * deployment's only instance, and their requests would wait forever while another gateway sits
 * idle. Such a gateway gets one slot: the fleet may then exceed {@code b} by at most {@code g - b}.
 * That happens only when a deployment's batch size is below the number of gateways (64 and 3 are
 * typical figures), and is written down in docs/decisions.md.
 */
public final class SlotShares {

  private SlotShares() {}

  /**
   * @param maxBatchSize the instance's slots, b ≥ 1
   * @param gateways live gateways, g ≥ 1
   * @param rank this gateway's rank among them, 0 ≤ rank < g
   * @param instanceIndex the instance's position among the deployment's instances sorted by id
   */
  public static int share(int maxBatchSize, int gateways, int rank, int instanceIndex) {
    if (maxBatchSize < 1 || gateways < 1 || rank < 0 || rank >= gateways || instanceIndex < 0) {
      throw new IllegalArgumentException(
          "bad share inputs: b="
              + maxBatchSize
              + " g="
              + gateways
              + " rank="
              + rank
              + " index="
              + instanceIndex);
    }
    int base = maxBatchSize / gateways;
    int extra = Math.floorMod(rank + instanceIndex, gateways) < maxBatchSize % gateways ? 1 : 0;
    return Math.max(1, base + extra);
  }
}
