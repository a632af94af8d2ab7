package io.zeroscale.activator.kubernetes;

import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.zeroscale.activator.runtime.RuntimeInstance;
import io.zeroscale.activator.runtime.RuntimeInstance.Phase;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an instance out of its pod: a pure function of the pod object as the API server returns it,
 * so a relist (or a watch event) after an activator restart gives the same answer.
 *
 * <ul>
 *   <li>PENDING until the scheduler has bound the pod to a node: it holds no GPUs and is not
 *       billed. An {@code Unschedulable} pod says {@code insufficient GPU capacity: <scheduler
 *       message>}.
 *   <li>RUNNING from binding on (the GPUs are the pod's), with its URL once it has an IP and the
 *       pod's {@code Ready} condition as {@code runtimeReady}.
 *   <li>EXITED when the pod failed or succeeded, a container terminated, or a container waits for a
 *       reason that will not heal by itself (image, crash loop, configuration).
 * </ul>
 */
public final class PodStates {

  /** Waiting reasons that mean the instance will never serve: the detail's prefix says which. */
  static final Map<String, String> FATAL_WAITING =
      Map.of(
          "ErrImagePull", "image error",
          "ImagePullBackOff", "image error",
          "InvalidImageName", "image error",
          "CrashLoopBackOff", "crash loop",
          "CreateContainerConfigError", "container config error",
          "CreateContainerError", "container config error",
          "RunContainerError", "container config error");

  private static final Set<String> ENDED_PHASES = Set.of("Failed", "Succeeded");

  private PodStates() {}

  /**
   * The instance that {@code pod} runs; its URL uses {@code port}; its revision is the pod's
   * {@value PodTemplates#REVISION} label (0 without one: a pod created before revisions).
   */
  public static RuntimeInstance instance(V1Pod pod, int port) {
    return withoutRevision(pod, port).withRevision(revision(pod.getMetadata()));
  }

  private static RuntimeInstance withoutRevision(V1Pod pod, int port) {
    V1ObjectMeta meta = pod.getMetadata();
    String instanceId = instanceId(meta);
    String deploymentId = deploymentId(meta);
    V1PodStatus status = pod.getStatus() == null ? new V1PodStatus() : pod.getStatus();

    Optional<String> ended = ended(status);
    if (ended.isPresent()) {
      return RuntimeInstance.notServing(
          instanceId, deploymentId, Phase.EXITED, url(status, port), ended.get());
    }
    Optional<V1PodCondition> scheduled = condition(status, "PodScheduled");
    boolean bound =
        (pod.getSpec() != null && pod.getSpec().getNodeName() != null)
            || scheduled.map(c -> "True".equals(c.getStatus())).orElse(false);
    if (!bound) {
      return RuntimeInstance.notServing(
          instanceId, deploymentId, Phase.PENDING, null, pendingDetail(scheduled));
    }
    boolean ready = condition(status, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
    return new RuntimeInstance(
        instanceId,
        deploymentId,
        Phase.RUNNING,
        url(status, port),
        ready,
        runningDetail(meta, status),
        scheduled
            .filter(c -> "True".equals(c.getStatus()) && c.getLastTransitionTime() != null)
            .map(c -> c.getLastTransitionTime().toInstant())
            .orElse(status.getStartTime() == null ? null : status.getStartTime().toInstant()),
        null);
  }

  /** The exact instance id (annotation), else the label, else the pod name without its prefix. */
  static String instanceId(V1ObjectMeta meta) {
    String annotated = get(meta.getAnnotations(), PodTemplates.INSTANCE_ID);
    if (annotated != null) {
      return annotated;
    }
    String labelled = get(meta.getLabels(), PodTemplates.INSTANCE_ID);
    if (labelled != null) {
      return labelled;
    }
    String name = meta.getName();
    return name.startsWith(PodTemplates.POD_NAME_PREFIX)
        ? name.substring(PodTemplates.POD_NAME_PREFIX.length())
        : name;
  }

  /** The {@value PodTemplates#REVISION} label as a number; 0 when absent or not a number. */
  static int revision(V1ObjectMeta meta) {
    String label = get(meta.getLabels(), PodTemplates.REVISION);
    if (label == null) {
      return 0;
    }
    try {
      return Math.max(0, Integer.parseInt(label));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String deploymentId(V1ObjectMeta meta) {
    String annotated = get(meta.getAnnotations(), PodTemplates.DEPLOYMENT_ID);
    return annotated != null ? annotated : get(meta.getLabels(), PodTemplates.DEPLOYMENT_ID);
  }

  private static Optional<String> ended(V1PodStatus status) {
    for (V1ContainerStatus container : containers(status)) {
      V1ContainerState state = container.getState();
      if (state == null) {
        continue;
      }
      V1ContainerStateTerminated terminated = state.getTerminated();
      if (terminated != null) {
        return Optional.of(
            "container exited with code "
                + terminated.getExitCode()
                + suffix(terminated.getReason(), terminated.getMessage()));
      }
      V1ContainerStateWaiting waiting = state.getWaiting();
      if (waiting != null
          && waiting.getReason() != null
          && FATAL_WAITING.containsKey(waiting.getReason())
          && !waitsForItsKey(waiting)) {
        return Optional.of(
            FATAL_WAITING.get(waiting.getReason())
                + ": "
                + waiting.getReason()
                + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage()));
      }
    }
    if (status.getPhase() != null && ENDED_PHASES.contains(status.getPhase())) {
      return Optional.of(
          "pod " + status.getPhase() + suffix(status.getReason(), status.getMessage()));
    }
    return Optional.empty();
  }

  /**
   * The kubelet reached the container before the runtime created the engine-key Secret (it creates
   * it right after the pod, owned by it): {@code CreateContainerConfigError: secret
   * "zs-…-engine-key" not found}. The kubelet retries, so this heals by itself.
   */
  static boolean waitsForItsKey(V1ContainerStateWaiting waiting) {
    return "CreateContainerConfigError".equals(waiting.getReason())
        && waiting.getMessage() != null
        && waiting.getMessage().contains(PodTemplates.ENGINE_KEY_SUFFIX + "\" not found");
  }

  private static String pendingDetail(Optional<V1PodCondition> scheduled) {
    if (scheduled.isEmpty() || !"False".equals(scheduled.get().getStatus())) {
      return "waiting to be scheduled";
    }
    V1PodCondition condition = scheduled.get();
    String message = condition.getMessage() == null ? "" : condition.getMessage();
    if ("Unschedulable".equals(condition.getReason())) {
      // A GPU pod is unschedulable because no node of its GPU type has enough free GPUs (or none
      // exists): what SPEC §2 calls no capacity. The scheduler's message says which.
      return "insufficient GPU capacity: " + message;
    }
    return "not scheduled: " + condition.getReason() + (message.isEmpty() ? "" : ": " + message);
  }

  private static String runningDetail(V1ObjectMeta meta, V1PodStatus status) {
    if (meta.getDeletionTimestamp() != null) {
      return "terminating";
    }
    for (V1ContainerStatus container : containers(status)) {
      if (container.getState() != null && container.getState().getWaiting() != null) {
        return container.getState().getWaiting().getReason();
      }
    }
    return null;
  }

  private static String url(V1PodStatus status, int port) {
    String ip = status.getPodIP();
    if (ip == null || ip.isEmpty()) {
      return null;
    }
    return "http://" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
  }

  private static Optional<V1PodCondition> condition(V1PodStatus status, String type) {
    List<V1PodCondition> conditions = status.getConditions();
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static List<V1ContainerStatus> containers(V1PodStatus status) {
    return status.getContainerStatuses() == null ? List.of() : status.getContainerStatuses();
  }

  private static String suffix(String reason, String message) {
    StringBuilder sb = new StringBuilder();
    if (reason != null) {
      sb.append(" (").append(reason).append(')');
    }
    if (message != null && !message.isBlank()) {
      sb.append(": ").append(message);
    }
    return sb.toString();
  }

  private static String get(Map<String, String> map, String key) {
    if (map == null) {
      return null;
    }
    String value = map.get(key);
    return value == null || value.isEmpty() ? null : value;
  }
}
