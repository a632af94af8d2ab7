package io.zeroscale.activator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.zeroscale.activator.runtime.RuntimeInstance;
import io.zeroscale.activator.runtime.RuntimeInstance.Phase;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

/** Pod → instance for the cases the mock-server test does not drive. */
class PodStatesTest {

  private static final KubernetesRuntimeProperties DEFAULTS =
      KubernetesRuntimeProperties.defaults();

  @Test
  void aFreshPodIsPendingWaitingToBeScheduled() {
    RuntimeInstance instance = PodStates.instance(created("i-1"), 8000);
    assertThat(instance)
        .isEqualTo(
            new RuntimeInstance(
                "i-1",
                Plans.DEPLOYMENT_ID,
                Phase.PENDING,
                null,
                false,
                "waiting to be scheduled",
                null,
                null,
                1));
  }

  @Test
  void theRevisionComesFromThePodLabelInEveryPhase() {
    V1Pod pending = PodTemplates.pod(Plans.withEngine("i-p", 7), DEFAULTS);
    assertThat(PodStates.instance(pending, 8000).revision()).isEqualTo(7);

    V1Pod running = PodTemplates.pod(Plans.withEngine("i-r", 7), DEFAULTS);
    running.getSpec().setNodeName("gpu-node-1");
    running.status(
        new V1PodStatus()
            .phase("Running")
            .podIP("10.0.0.7")
            .addConditionsItem(new V1PodCondition().type("PodScheduled").status("True")));
    assertThat(PodStates.instance(running, 8000).phase()).isEqualTo(Phase.RUNNING);
    assertThat(PodStates.instance(running, 8000).revision()).isEqualTo(7);

    V1Pod failed = PodTemplates.pod(Plans.withEngine("i-f", 7), DEFAULTS);
    failed.status(new V1PodStatus().phase("Failed").reason("Evicted"));
    assertThat(PodStates.instance(failed, 8000).phase()).isEqualTo(Phase.EXITED);
    assertThat(PodStates.instance(failed, 8000).revision()).isEqualTo(7);
  }

  @Test
  void aPodWithoutARevisionLabelOrWithABadOneIsRevisionZero() {
    V1Pod old = created("i-1");
    old.getMetadata().getLabels().remove(PodTemplates.REVISION);
    assertThat(PodStates.instance(old, 8000).revision()).isZero();

    old.getMetadata().getLabels().put(PodTemplates.REVISION, "two");
    assertThat(PodStates.instance(old, 8000).revision()).isZero();
    old.getMetadata().getLabels().put(PodTemplates.REVISION, "-3");
    assertThat(PodStates.instance(old, 8000).revision()).isZero();
  }

  @Test
  void aBoundPodPullingItsImageIsRunningNotReadyWithoutUrlUntilItHasAnIp() {
    V1Pod pod = created("i-1");
    pod.getSpec().setNodeName("gpu-node-1");
    pod.status(
        new V1PodStatus().phase("Pending").addContainerStatusesItem(waiting("ContainerCreating")));
    RuntimeInstance instance = PodStates.instance(pod, 8000);
    assertThat(instance.phase()).isEqualTo(Phase.RUNNING);
    assertThat(instance.url()).isNull();
    assertThat(instance.runtimeReady()).isFalse();
    assertThat(instance.detail()).isEqualTo("ContainerCreating");
  }

  @Test
  void aTerminatingPodIsStillListedAndSaysSo() {
    V1Pod pod = created("i-1");
    pod.getMetadata().setDeletionTimestamp(OffsetDateTime.parse("2026-01-01T00:00:00Z"));
    pod.status(
        new V1PodStatus()
            .phase("Running")
            .podIP("fd00::7")
            .addConditionsItem(new V1PodCondition().type("PodScheduled").status("True"))
            .addConditionsItem(new V1PodCondition().type("Ready").status("False")));
    RuntimeInstance instance = PodStates.instance(pod, 8000);
    assertThat(instance.phase()).isEqualTo(Phase.RUNNING);
    assertThat(instance.url()).isEqualTo("http://[fd00::7]:8000");
    assertThat(instance.detail()).isEqualTo("terminating");
  }

  @Test
  void aFailedPodWithoutContainerStatusesIsExitedWithThePodReason() {
    V1Pod pod = created("i-1");
    pod.status(new V1PodStatus().phase("Failed").reason("Evicted").message("node out of memory"));
    RuntimeInstance instance = PodStates.instance(pod, 8000);
    assertThat(instance.phase()).isEqualTo(Phase.EXITED);
    assertThat(instance.detail()).isEqualTo("pod Failed (Evicted): node out of memory");
  }

  @Test
  void aMissingSecretKeyRefIsAConfigErrorNotAWait() {
    V1Pod pod = created("i-1");
    pod.getSpec().setNodeName("gpu-node-1");
    pod.status(
        new V1PodStatus()
            .phase("Pending")
            .addContainerStatusesItem(waiting("CreateContainerConfigError")));
    assertThat(PodStates.instance(pod, 8000).phase()).isEqualTo(Phase.EXITED);
    assertThat(PodStates.instance(pod, 8000).detail()).startsWith("container config error:");
  }

  @Test
  void aContainerWaitingForItsEngineKeySecretIsStartingNotFailed() {
    // The runtime creates the key Secret right after the pod (it is owned by the pod's uid): a
    // kubelet that gets there first retries until the Secret exists.
    V1Pod pod = PodTemplates.pod(Plans.withTenantToken("i-1"), DEFAULTS);
    pod.getSpec().setNodeName("gpu-node-1");
    V1ContainerStatus status = waiting("CreateContainerConfigError");
    status.getState().getWaiting().message("secret \"zs-i-1-engine-key\" not found");
    pod.status(new V1PodStatus().phase("Pending").addContainerStatusesItem(status));
    RuntimeInstance instance = PodStates.instance(pod, 8000);
    assertThat(instance.phase()).isEqualTo(Phase.RUNNING);
    assertThat(instance.runtimeReady()).isFalse();
    assertThat(instance.detail()).isEqualTo("CreateContainerConfigError");

    // Any other missing Secret (the tenant's token) is a configuration error.
    status.getState().getWaiting().message("secret \"zs-hf-d\" not found");
    assertThat(PodStates.instance(pod, 8000).phase()).isEqualTo(Phase.EXITED);
  }

  private static V1Pod created(String instanceId) {
    return PodTemplates.pod(Plans.h100x2(instanceId), DEFAULTS);
  }

  private static V1ContainerStatus waiting(String reason) {
    return new V1ContainerStatus()
        .name(PodTemplates.CONTAINER)
        .image("vllm/vllm-openai:v0.11.0")
        .imageID("")
        .ready(false)
        .restartCount(0)
        .state(new V1ContainerState().waiting(new V1ContainerStateWaiting().reason(reason)));
  }
}
