package io.zeroscale.activator.kubernetes;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretList;
import io.kubernetes.client.util.Config;
import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.activator.runtime.InstanceRuntime;
import io.zeroscale.activator.runtime.Launch;
import io.zeroscale.activator.runtime.LogTail;
import io.zeroscale.activator.runtime.RuntimeInstance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The {@code kubernetes} runtime: one pod per instance in one namespace, built by {@link
 * PodTemplates} and read back by {@link PodStates}. It keeps no state of its own: {@link #list()}
 * relists the pods labelled {@value PodTemplates#SELECTOR}, which is also how a new activator
 * adopts the pods of the previous one. Every client call blocks, so each runs on the given
 * scheduler ({@link Schedulers#boundedElastic()} by default), never on the caller's thread.
 */
public final class KubernetesRuntime implements InstanceRuntime {

  private static final Logger log = LoggerFactory.getLogger(KubernetesRuntime.class);

  /**
   * How long {@link #stop} waits beyond the grace period before it force-deletes: the kubelet needs
   * a moment after SIGKILL to report the pod gone.
   */
  static final Duration STOP_MARGIN = Duration.ofSeconds(30);

  static final Duration STOP_POLL = Duration.ofMillis(500);

  private final CoreV1Api api;
  private final KubernetesRuntimeProperties properties;
  private final Scheduler blocking;
  private final Duration stopPoll;

  /** For tests and for callers that build their own client. */
  public KubernetesRuntime(CoreV1Api api, KubernetesRuntimeProperties properties) {
    this(api, properties, Schedulers.boundedElastic(), STOP_POLL);
  }

  KubernetesRuntime(
      CoreV1Api api,
      KubernetesRuntimeProperties properties,
      Scheduler blocking,
      Duration stopPoll) {
    this.api = Objects.requireNonNull(api, "api");
    this.properties = Objects.requireNonNull(properties, "properties");
    this.blocking = Objects.requireNonNull(blocking, "blocking");
    this.stopPoll = Objects.requireNonNull(stopPoll, "stopPoll");
  }

  /**
   * The runtime with a client from the environment: the pod's service account when running in a
   * cluster, else {@code $KUBECONFIG} or {@code ~/.kube/config} ({@link Config#defaultClient()}).
   */
  public static KubernetesRuntime create(KubernetesRuntimeProperties properties) {
    ApiClient client;
    try {
      client = Config.defaultClient();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot configure the Kubernetes client", e);
    }
    return new KubernetesRuntime(new CoreV1Api(client), properties);
  }

  @Override
  public String name() {
    return "kubernetes";
  }

  public KubernetesRuntimeProperties properties() {
    return properties;
  }

  @Override
  public Mono<Launch> launch(InstancePlan plan) {
    return Mono.fromCallable(() -> PodTemplates.pod(plan, properties))
        .flatMap(pod -> blocking(() -> create(plan, pod)));
  }

  /**
   * The tenant-token Secret first (created or replaced: the kubelet reads it when it starts the
   * container), then the pod, then the engine-key Secret owned by the pod (its uid comes from the
   * create's answer, or from a read when the pod already existed), so that the garbage collector
   * deletes the key with the pod. A container that the kubelet creates before the key Secret exists
   * waits for it ({@link PodStates} does not count that as a failure).
   */
  private Launch create(InstancePlan plan, V1Pod pod) throws KubernetesCallException {
    String name = pod.getMetadata().getName();
    V1Secret token = PodTemplates.hfTokenSecret(plan, properties);
    if (token != null) {
      upsertSecret(token);
    }
    V1Pod created;
    try {
      created = api.createNamespacedPod(properties.namespace(), pod).execute();
      log.info(
          "Created pod {}/{} for instance {} of deployment {} ({} x {})",
          properties.namespace(),
          name,
          plan.instanceId(),
          plan.deployment().fullName(),
          plan.deployment().numGpus(),
          plan.deployment().gpu());
    } catch (ApiException e) {
      if (e.getCode() == 409) {
        // Same instance id, same pod name: an earlier attempt (or activator) created it.
        created = plan.engineKey() == null ? null : readPod(name);
      } else if (e.getCode() == 403
          && String.valueOf(e.getResponseBody()).contains("exceeded quota")) {
        // A ResourceQuota on nvidia.com/gpu: no capacity, not a broken deployment.
        return new Launch.NoCapacity(
            "insufficient GPU capacity: namespace quota exceeded for "
                + plan.deployment().numGpus()
                + " x "
                + plan.deployment().gpu());
      } else {
        throw KubernetesCallException.of("create pod " + name, properties.namespace(), e);
      }
    }
    if (created != null) {
      V1Secret key = PodTemplates.engineKeySecret(plan, properties, created);
      if (key != null) {
        try {
          createSecret(key);
        } catch (KubernetesCallException e) {
          // The launch fails, so the activator forgets the instance: take its pod back rather
          // than leave one that waits for a key that never comes.
          try {
            deleteNow("pod", name, Duration.ZERO);
          } catch (KubernetesCallException cleanup) {
            e.addSuppressed(cleanup);
          }
          throw e;
        }
      }
    }
    return new Launch.Accepted(plan.instanceId());
  }

  private V1Pod readPod(String name) throws KubernetesCallException {
    try {
      return api.readNamespacedPod(name, properties.namespace()).execute();
    } catch (ApiException e) {
      throw KubernetesCallException.of("read pod " + name, properties.namespace(), e);
    }
  }

  /** Creates a Secret; one already there (409, same name) is taken as this one. */
  private void createSecret(V1Secret secret) throws KubernetesCallException {
    String name = secret.getMetadata().getName();
    try {
      api.createNamespacedSecret(properties.namespace(), secret).execute();
    } catch (ApiException e) {
      if (e.getCode() != 409) {
        throw KubernetesCallException.of("create secret " + name, properties.namespace(), e);
      }
    }
  }

  /** Creates a Secret, or replaces the one of the same name (a tenant may rotate its token). */
  private void upsertSecret(V1Secret secret) throws KubernetesCallException {
    String name = secret.getMetadata().getName();
    try {
      api.createNamespacedSecret(properties.namespace(), secret).execute();
      return;
    } catch (ApiException e) {
      if (e.getCode() != 409) {
        throw KubernetesCallException.of("create secret " + name, properties.namespace(), e);
      }
    }
    try {
      api.replaceNamespacedSecret(name, properties.namespace(), secret).execute();
    } catch (ApiException e) {
      throw KubernetesCallException.of("replace secret " + name, properties.namespace(), e);
    }
  }

  @Override
  public Mono<List<RuntimeInstance>> list() {
    return blocking(this::listNow);
  }

  /**
   * The pods, each with the engine key read back from its key Secret (so that an adopting activator
   * republishes the instance with its key): one list of pods, one list of key Secrets.
   */
  private List<RuntimeInstance> listNow() throws KubernetesCallException {
    V1PodList pods;
    try {
      pods =
          api.listNamespacedPod(properties.namespace())
              .labelSelector(PodTemplates.SELECTOR)
              .execute();
    } catch (ApiException e) {
      throw KubernetesCallException.of("list pods", properties.namespace(), e);
    }
    Map<String, String> keys = engineKeys();
    return pods.getItems().stream()
        .map(pod -> PodStates.instance(pod, properties.containerPort()))
        .map(instance -> withKey(instance, keys))
        .sorted(Comparator.comparing(RuntimeInstance::instanceId))
        .toList();
  }

  /** Engine key by Secret name, from the Secrets labelled as engine keys. */
  private Map<String, String> engineKeys() throws KubernetesCallException {
    V1SecretList secrets = secretsWithRole(PodTemplates.ENGINE_KEY);
    Map<String, String> keys = new HashMap<>();
    for (V1Secret secret : secrets.getItems()) {
      byte[] key =
          secret.getData() == null ? null : secret.getData().get(PodTemplates.ENGINE_KEY_ENV);
      if (secret.getMetadata() != null && key != null) {
        keys.put(secret.getMetadata().getName(), new String(key, StandardCharsets.UTF_8));
      }
    }
    return keys;
  }

  private static RuntimeInstance withKey(RuntimeInstance r, Map<String, String> keys) {
    String key = keys.get(PodTemplates.engineKeySecretName(r.instanceId()));
    return key == null ? r : r.withEngineKey(key);
  }

  /**
   * Deletes the pod with {@code grace} as its grace period (the kubelet sends SIGTERM, then SIGKILL
   * after it), then polls until the pod is gone. A pod still there after grace + {@link
   * #STOP_MARGIN} (e.g. on a node that stopped answering) is force-deleted (grace 0) and the stop
   * completes once the API server no longer has it.
   */
  @Override
  public Mono<Void> stop(String instanceId, Duration grace) {
    Duration safeGrace = grace == null || grace.isNegative() ? Duration.ZERO : grace;
    return Mono.fromCallable(() -> PodTemplates.podName(instanceId))
        .flatMap(
            name ->
                delete(name, safeGrace)
                    .then(gone(name).timeout(safeGrace.plus(STOP_MARGIN)))
                    .onErrorResume(
                        TimeoutException.class,
                        timeout -> {
                          log.warn(
                              "Pod {}/{} still exists {} after its deletion: force-deleting",
                              properties.namespace(),
                              name,
                              safeGrace.plus(STOP_MARGIN));
                          return delete(name, Duration.ZERO).then(gone(name).timeout(STOP_MARGIN));
                        })
                    // The garbage collector would delete it with the pod; this is sooner and
                    // does not depend on it.
                    .then(deleteSecret(PodTemplates.engineKeySecretName(instanceId))));
  }

  /** Deletes the deployment's tenant-token Secret (404: none, or already deleted). */
  @Override
  public Mono<Void> release(String deploymentId) {
    return Mono.fromCallable(() -> PodTemplates.hfTokenSecretName(deploymentId))
        .flatMap(this::deleteSecret);
  }

  /**
   * Deletes the tenant-token Secrets (labelled {@value PodTemplates#SECRET_ROLE}={@value
   * PodTemplates#HF_TOKEN}) of deployments outside {@code liveDeploymentIds}: one list, then one
   * delete per orphan. A Secret is matched to a live deployment by its name ({@link
   * PodTemplates#hfTokenSecretName}), so a label value cut short does not matter. Engine-key
   * Secrets and Secrets of other owners are never touched.
   */
  @Override
  public Mono<Void> retainOnly(Set<String> liveDeploymentIds) {
    return Mono.fromCallable(
            () ->
                liveDeploymentIds.stream()
                    .map(PodTemplates::hfTokenSecretName)
                    .collect(Collectors.toUnmodifiableSet()))
        .flatMap(keep -> blocking(() -> orphanTokenSecrets(keep)))
        .flatMapMany(Flux::fromIterable)
        .concatMap(
            name -> {
              log.info(
                  "Deleting tenant-token secret {}/{}: its deployment is gone",
                  properties.namespace(),
                  name);
              return deleteSecret(name);
            })
        .then();
  }

  /** This runtime's Secrets of one role ({@link PodTemplates#SECRET_ROLE}) in its namespace. */
  private V1SecretList secretsWithRole(String role) throws KubernetesCallException {
    try {
      return api.listNamespacedSecret(properties.namespace())
          .labelSelector(PodTemplates.SELECTOR + "," + PodTemplates.SECRET_ROLE + "=" + role)
          .execute();
    } catch (ApiException e) {
      throw KubernetesCallException.of("list secrets", properties.namespace(), e);
    }
  }

  /** The names of the tenant-token Secrets whose name is not in {@code keep}. */
  private List<String> orphanTokenSecrets(Set<String> keep) throws KubernetesCallException {
    return secretsWithRole(PodTemplates.HF_TOKEN).getItems().stream()
        .map(V1Secret::getMetadata)
        .filter(Objects::nonNull)
        .map(V1ObjectMeta::getName)
        .filter(name -> name != null && !keep.contains(name))
        .sorted()
        .toList();
  }

  private Mono<Void> deleteSecret(String name) {
    return blocking(
            () -> {
              if (deleteNow("secret", name, null)) {
                log.info("Deleted secret {}/{}", properties.namespace(), name);
              }
              return true;
            })
        .then();
  }

  private Mono<Void> delete(String name, Duration grace) {
    return blocking(
            () -> {
              if (deleteNow("pod", name, grace)) {
                log.info(
                    "Deleting pod {}/{} with a grace period of {}",
                    properties.namespace(),
                    name,
                    grace);
              }
              return true;
            })
        .then();
  }

  /**
   * Deletes a pod (with a grace period) or a Secret through the raw call: the API server answers a
   * delete with the object (graceful) or a Status (immediate), and only the status code matters
   * here. Answers whether there was something to delete (404: nothing, which is success).
   */
  private boolean deleteNow(String kind, String name, Duration grace)
      throws KubernetesCallException {
    String namespace = properties.namespace();
    try (Response response =
        ("pod".equals(kind)
                ? api.deleteNamespacedPod(name, namespace)
                    .gracePeriodSeconds((int) Math.min(Integer.MAX_VALUE, grace.toSeconds()))
                    .buildCall(null)
                : api.deleteNamespacedSecret(name, namespace).buildCall(null))
            .execute()) {
      int code = response.code();
      if (code == 404) {
        return false;
      }
      if (code / 100 != 2) {
        String body = response.body() == null ? "" : response.body().string();
        throw KubernetesCallException.of(
            "delete " + kind + " " + name, namespace, new ApiException(code, body));
      }
      return true;
    } catch (ApiException | IOException e) {
      throw KubernetesCallException.of(
          "delete " + kind + " " + name,
          namespace,
          e instanceof ApiException api ? api : new ApiException(e));
    }
  }

  /** Completes once the pod is gone (404), polling every {@link #stopPoll}. */
  private Mono<Void> gone(String name) {
    return blocking(() -> exists(name))
        .flatMap(
            exists ->
                exists
                    ? Mono.delay(stopPoll).then(Mono.<Void>error(new PodStillThere()))
                    : Mono.<Void>empty())
        .retryWhen(Retry.indefinitely().filter(PodStillThere.class::isInstance));
  }

  /**
   * The pod's log ({@code tailLines}, {@code limitBytes}) of its engine container, while the pod
   * belongs to {@code deploymentId}; empty for an unknown pod.
   */
  @Override
  public Mono<List<String>> logs(String deploymentId, String instanceId, int lines, int maxBytes) {
    return blocking(
        () -> {
          String name = PodTemplates.podName(instanceId);
          V1Pod pod;
          try {
            pod = api.readNamespacedPod(name, properties.namespace()).execute();
          } catch (ApiException e) {
            if (e.getCode() == 404) {
              return null;
            }
            throw KubernetesCallException.of("read pod " + name, properties.namespace(), e);
          }
          RuntimeInstance instance = PodStates.instance(pod, properties.containerPort());
          if (!deploymentId.equals(instance.deploymentId())
              || !instanceId.equals(instance.instanceId())) {
            return null;
          }
          try {
            String text =
                api.readNamespacedPodLog(name, properties.namespace())
                    .container(PodTemplates.CONTAINER)
                    .tailLines(lines)
                    .limitBytes(maxBytes)
                    .execute();
            return LogTail.last(text == null ? "" : text, lines, false);
          } catch (ApiException e) {
            if (e.getCode() == 400 || e.getCode() == 404) {
              // not started yet (ContainerCreating) or gone: nothing to show
              return List.<String>of();
            }
            throw KubernetesCallException.of("read log of pod " + name, properties.namespace(), e);
          }
        });
  }

  private boolean exists(String name) throws KubernetesCallException {
    try {
      api.readNamespacedPod(name, properties.namespace()).execute();
      return true;
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw KubernetesCallException.of("read pod " + name, properties.namespace(), e);
    }
  }

  private <T> Mono<T> blocking(Callable<T> call) {
    return Mono.fromCallable(call).subscribeOn(blocking);
  }

  /** Internal signal of {@link #gone}: the pod is still there, poll again. */
  private static final class PodStillThere extends RuntimeException {
    PodStillThere() {
      super(null, null, false, false);
    }
  }
}
