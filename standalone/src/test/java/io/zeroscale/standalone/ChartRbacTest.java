package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Role;
import io.zeroscale.activator.kubernetes.KubernetesRuntime;
import io.zeroscale.activator.kubernetes.KubernetesRuntimeProperties;
import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.activator.runtime.Launch;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Role the chart renders against what the Kubernetes runtime really calls: the runtime runs
 * every code path of its port (launch with an engine key and the tenant's token, a repeated launch,
 * a launch with the platform's token, list and adoption, stop, stop of an unknown instance, the
 * sweep of orphaned token Secrets, release of the deployment) against fabric8's CRUD mock API
 * server through the official client, and every request the server saw becomes a (resource, verb)
 * pair in the namespace the chart gives the Role. The two sets must be equal: the runtime is never
 * refused, and the Role grants nothing it does not use.
 */
class ChartRbacTest {

  static final String ENGINE_KEY = "zse_rbac-test-key";

  private KubernetesMockServer server;

  @BeforeEach
  void startApiServer() {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stopApiServer() {
    server.destroy();
  }

  @Test
  void theRoleGrantsExactlyWhatTheRuntimeCalls() throws Exception {
    V1Role role =
        ChartFixture.render()
            .one(V1Role.class, "Role", ChartFixture.RELEASE + "-zeroscale-activator");
    String namespace = role.getMetadata().getNamespace();
    Set<String> rendered = new TreeSet<>();
    for (var rule : role.getRules()) {
      assertThat(rule.getApiGroups()).containsExactly("");
      assertThat(rule.getResourceNames()).isNullOrEmpty();
      for (String resource : rule.getResources()) {
        for (String verb : rule.getVerbs()) {
          rendered.add(resource + ":" + verb);
        }
      }
    }

    Set<String> derived = derive(namespace);
    System.out.println("Role " + rendered + ", runtime calls " + derived);

    assertThat(derived)
        .as("what the runtime calls")
        .contains("pods:create", "secrets:create", "secrets:delete");
    assertThat(rendered).as("what the Role grants").isEqualTo(derived);
  }

  /** Runs the runtime through its whole port and answers the (resource:verb) set it used. */
  private Set<String> derive(String namespace) throws Exception {
    KubernetesRuntimeProperties properties = ChartRuntime.properties(namespace);
    ApiClient client = new ApiClient().setBasePath(server.url("/").replaceAll("/$", ""));
    KubernetesRuntime runtime = new KubernetesRuntime(new CoreV1Api(client), properties);
    Duration timeout = Duration.ofSeconds(20);

    // The engine key's Secret and the tenant token's Secret with the pod.
    InstancePlan tenant = plan("i-a", "hf_tenantToken", false);
    assertThat(runtime.launch(tenant).block(timeout)).isEqualTo(new Launch.Accepted("i-a"));
    // Same id again: the API answers 409 for the pod and the key (the pod is read for its uid),
    // and the token Secret is replaced.
    assertThat(runtime.launch(tenant).block(timeout)).isEqualTo(new Launch.Accepted("i-a"));
    // The platform's token: a reference to the chart's Secret, nothing created for it.
    assertThat(runtime.launch(plan("i-b", null, true)).block(timeout))
        .isEqualTo(new Launch.Accepted("i-b"));
    // Adoption by a new runtime: pods and the engine keys' Secrets.
    KubernetesRuntime adopting = new KubernetesRuntime(new CoreV1Api(client), properties);
    assertThat(adopting.list().block(timeout))
        .hasSize(2)
        .allSatisfy(instance -> assertThat(instance.engineKey()).isEqualTo(ENGINE_KEY));
    // A tenant reads its instance's log: the pod (whose deployment it must be), then its log.
    runtime.logs(tenant.deployment().id(), "i-a", 10, 4096).blockOptional(timeout);
    runtime.stop("i-a", Duration.ofSeconds(1)).block(timeout);
    runtime.stop("never-launched", Duration.ZERO).block(timeout);
    assertThat(runtime.list().block(timeout)).hasSize(1);
    runtime.stop("i-b", Duration.ofSeconds(1)).block(timeout);
    // The orphan sweep (a deployment gone without the activator seeing it deleting): it lists
    // the token Secrets and deletes those of the deployments not live.
    runtime.retainOnly(Set.of("still-live")).block(timeout);
    // The deployment is deleted: its token Secret goes (already swept: a 404, still a delete).
    runtime.release(tenant.deployment().id()).block(timeout);

    Set<String> verbs = new TreeSet<>();
    RecordedRequest request;
    while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      verbs.add(verb(request, namespace));
    }
    return verbs;
  }

  /**
   * The RBAC (resource, verb) of one API request: {@code /api/v1/namespaces/<ns>/<resource>[/<name>
   * [/<subresource>]]}, by method and whether a name is given (Kubernetes' request-info rules).
   */
  static String verb(RecordedRequest request, String namespace) {
    URI uri = URI.create(request.getPath());
    String prefix = "/api/v1/namespaces/" + namespace + "/";
    assertThat(uri.getPath()).as("a namespaced core API call in %s", namespace).startsWith(prefix);
    String[] parts = uri.getPath().substring(prefix.length()).split("/");
    String resource = parts.length > 2 ? parts[0] + "/" + parts[2] : parts[0];
    boolean named = parts.length > 1;
    boolean watch = uri.getQuery() != null && uri.getQuery().contains("watch=true");
    String verb =
        switch (request.getMethod()) {
          case "GET" -> watch ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> throw new AssertionError("unexpected method " + request.getMethod());
        };
    return resource + ":" + verb;
  }

  private static InstancePlan plan(String instanceId, String hfToken, boolean platformToken) {
    return new InstancePlan(
        instanceId,
        new DeploymentSpec(
            "7f3c1a52-0c5e-4d8e-9d3a-2b1f6c0e9a41",
            "0b8f5a9e-3f41-4c7d-8a62-5d1e2f3a4b5c",
            "acme",
            "llama-8b",
            Family.LLM,
            "hf://meta-llama/Llama-3.1-8B-Instruct@0e9e39f",
            "H100-80GB",
            2,
            64,
            new ScalingSettings(0, 2, 300, 900, 1000, 0.7, 60, true),
            DeploymentStatus.DEPLOYING,
            null,
            3,
            1,
            EngineOptions.NONE,
            1),
        ENGINE_KEY,
        hfToken,
        platformToken);
  }
}
