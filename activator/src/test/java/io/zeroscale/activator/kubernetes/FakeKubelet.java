package io.zeroscale.activator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.zeroscale.sim.EngineSim;
import io.zeroscale.sim.config.ParseResult;
import io.zeroscale.sim.config.SimConfigParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;

/**
 * Plays the scheduler and the kubelet against the mock API server (through the fabric8 client, a
 * second and independent client): binds pods to a node, runs the pod's engine as an in-process
 * simulator on the pod's IP, probes it and reports conditions and container states through the
 * {@code /status} subresource, as the real ones do.
 */
final class FakeKubelet implements AutoCloseable {

  /** vLLM flags about loading weights that the simulator does not know; the rest it parses. */
  private static final Set<String> MODEL_LOADING_FLAGS = Set.of("--runner");

  private static final Set<String> MODEL_LOADING_SWITCHES = Set.of("--omni");

  private final KubernetesClient client;
  private final String namespace;
  private final List<EngineSim> engines = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  FakeKubelet(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  Pod pod(String name) {
    return client.pods().inNamespace(namespace).withName(name).get();
  }

  List<Pod> managedPods() {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel(PodTemplates.MANAGED_BY, PodTemplates.MANAGED_BY_VALUE)
        .list()
        .getItems();
  }

  /** The scheduler bound the pod to a node, and the kubelet gave it an IP and started it. */
  void bind(String name, String podIp) {
    resource(name)
        .edit(p -> new PodBuilder(p).editSpec().withNodeName("gpu-node-1").endSpec().build());
    status(
        name,
        new PodStatusBuilder()
            .withPhase("Running")
            .withPodIP(podIp)
            .withConditions(condition("PodScheduled", "True", null, null))
            .withContainerStatuses(
                containerStatus()
                    .withReady(false)
                    .withState(new ContainerStateBuilder().withNewRunning().endRunning().build())
                    .build())
            .build());
  }

  /**
   * Runs the pod's container: the simulator started with the pod's own command line (minus the
   * weight-loading flags it does not know; the revision and the engine options it takes and
   * reports) on the pod's IP. Returns once it listens.
   */
  EngineSim startEngine(String name) {
    Pod pod = pod(name);
    String podIp = pod.getStatus().getPodIP();
    List<String> args = new ArrayList<>();
    List<String> podArgs = pod.getSpec().getContainers().getFirst().getArgs();
    for (int i = 0; i < podArgs.size(); i++) {
      String arg = podArgs.get(i);
      if (MODEL_LOADING_FLAGS.contains(arg)) {
        i++;
      } else if (!MODEL_LOADING_SWITCHES.contains(arg)) {
        args.add(arg);
      }
    }
    args.add("--host");
    args.add(podIp);
    ParseResult parsed = SimConfigParser.parse(args.toArray(String[]::new));
    assertThat(parsed)
        .as("the pod's command line, as the engine parses it")
        .isInstanceOf(ParseResult.Ok.class);
    EngineSim engine =
        EngineSim.start(
            ((ParseResult.Ok) parsed).config(),
            new EngineSim.Hooks() {
              @Override
              public void listening(String host, int port) {}

              @Override
              public void ready() {}

              @Override
              public void crash(String reason) {}
            });
    engines.add(engine);
    return engine;
  }

  /** The readiness probe: GET /health on the pod's IP and port until 200, then Ready=True. */
  void probeUntilReady(String name, int port) {
    String podIp = pod(name).getStatus().getPodIP();
    URI health = URI.create("http://" + podIp + ":" + port + PodTemplates.HEALTH_PATH);
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> get(health) == 200);
    Pod pod = pod(name);
    PodStatus status = pod.getStatus();
    List<PodCondition> conditions = new ArrayList<>(status.getConditions());
    conditions.add(condition("Ready", "True", null, null));
    conditions.add(condition("ContainersReady", "True", null, null));
    status.setConditions(conditions);
    status.getContainerStatuses().getFirst().setReady(true);
    status(name, status);
  }

  /** The scheduler found no node for the pod. */
  void unschedulable(String name, String message) {
    status(
        name,
        new PodStatusBuilder()
            .withPhase("Pending")
            .withConditions(condition("PodScheduled", "False", "Unschedulable", message))
            .build());
  }

  /** Bound, but the container waits for a reason (ErrImagePull, CrashLoopBackOff, ...). */
  void waiting(String name, String podIp, String reason, String message) {
    status(
        name,
        new PodStatusBuilder()
            .withPhase("Pending")
            .withPodIP(podIp)
            .withConditions(condition("PodScheduled", "True", null, null))
            .withContainerStatuses(
                containerStatus()
                    .withState(
                        new ContainerStateBuilder()
                            .withNewWaiting()
                            .withReason(reason)
                            .withMessage(message)
                            .endWaiting()
                            .build())
                    .build())
            .build());
  }

  /** The engine exited (restartPolicy Never: the pod fails with it). */
  void exited(String name, int exitCode, String reason) {
    status(
        name,
        new PodStatusBuilder()
            .withPhase("Failed")
            .withConditions(condition("PodScheduled", "True", null, null))
            .withContainerStatuses(
                containerStatus()
                    .withState(
                        new ContainerStateBuilder()
                            .withNewTerminated()
                            .withExitCode(exitCode)
                            .withReason(reason)
                            .endTerminated()
                            .build())
                    .build())
            .build());
  }

  /**
   * What every kubelet reports about a container; the official client rejects a status without the
   * required {@code image}, {@code imageID}, {@code ready} and {@code restartCount}.
   */
  private static ContainerStatusBuilder containerStatus() {
    return new ContainerStatusBuilder()
        .withName(PodTemplates.CONTAINER)
        .withImage("vllm/vllm-openai:v0.11.0")
        .withImageID("")
        .withReady(false)
        .withRestartCount(0);
  }

  private void status(String name, PodStatus status) {
    resource(name).editStatus(p -> new PodBuilder(p).withStatus(status).build());
  }

  private PodResource resource(String name) {
    return client.pods().inNamespace(namespace).withName(name);
  }

  private int get(URI uri) {
    try {
      return http.send(
              HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (java.io.IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static PodCondition condition(String type, String status, String reason, String message) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  @Override
  public void close() {
    engines.forEach(engine -> engine.drain(Duration.ofSeconds(1)));
    http.close();
  }
}
