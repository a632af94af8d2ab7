package io.zeroscale.activator.loop;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wake-ups by deployment id, with when they arrived. They arrive on the store's thread and are
 * taken by the pass; a new leader drops stale ones.
 */
final class WakeUps {

  private final Map<String, Instant> byDeployment = new ConcurrentHashMap<>();

  void add(String deploymentId, Instant at) {
    byDeployment.put(deploymentId, at);
  }

  /** Forgets the wake-ups that arrived before {@code cutoff}. */
  void dropOlderThan(Instant cutoff) {
    byDeployment.values().removeIf(at -> at.isBefore(cutoff));
  }

  /** Takes every wake-up there is now. */
  List<String> take() {
    List<String> out = new ArrayList<>();
    for (String deploymentId : List.copyOf(byDeployment.keySet())) {
      if (byDeployment.remove(deploymentId) != null) {
        out.add(deploymentId);
      }
    }
    return out;
  }

  boolean isEmpty() {
    return byDeployment.isEmpty();
  }
}
