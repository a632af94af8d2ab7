package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LabelSelectorRequirement;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyIngressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1Pod;
import io.zeroscale.activator.kubernetes.PodTemplates;
import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The instances' NetworkPolicy the chart renders against the pods it must isolate and admit: the
 * instance pod is the one {@link PodTemplates} builds (the runtime's real labels), the admitted
 * pods are the gateway and controller Deployments' pod templates as rendered. A label selector is
 * evaluated here as the API server does ({@code matchLabels} and {@code matchExpressions} ANDed).
 */
class ChartNetworkPolicyTest {

  static Stream<Arguments> installations() {
    return Stream.of(
        Arguments.of("defaults", new Path[0], ChartFixture.NAMESPACE),
        Arguments.of("split", new Path[] {ChartFixture.SPLIT}, "zeroscale-gpu"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("installations")
  void selectsTheInstancePodsAndAdmitsOnlyTheGatewayAndControllerPods(
      String name, Path[] values, String instancesNamespace) {
    ChartFixture.Rendered r = ChartFixture.render(values);
    V1NetworkPolicy policy =
        r.one(
            V1NetworkPolicy.class, "NetworkPolicy", ChartFixture.RELEASE + "-zeroscale-instances");
    assertThat(policy.getMetadata().getNamespace()).isEqualTo(instancesNamespace);

    Map<String, String> instance = instancePod(instancesNamespace).getMetadata().getLabels();
    assertThat(matches(policy.getSpec().getPodSelector(), instance))
        .as("the policy selects the pods PodTemplates builds (%s)", instance)
        .isTrue();
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");

    List<V1Deployment> zeroscale =
        r.all("Deployment").stream().map(d -> (V1Deployment) ChartFixture.typed(d)).toList();
    assertThat(zeroscale).isNotEmpty();
    for (V1Deployment d : zeroscale) {
      Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
      assertThat(labels.get("app.kubernetes.io/component")).isIn("gateway", "controller");
      assertThat(matches(policy.getSpec().getPodSelector(), labels))
          .as("the policy does not isolate %s", d.getMetadata().getName())
          .isFalse();
    }

    assertThat(policy.getSpec().getIngress()).hasSize(1);
    V1NetworkPolicyIngressRule rule = policy.getSpec().getIngress().getFirst();
    assertThat(rule.getPorts())
        .singleElement()
        .satisfies(
            port -> {
              assertThat(port.getProtocol()).isEqualTo("TCP");
              assertThat(port.getPort().getIntValue()).isEqualTo(8000);
            });
    // One peer: pods of this release's namespace (never an ipBlock or any namespace)...
    assertThat(rule.getFrom()).hasSize(1);
    V1NetworkPolicyPeer peer = rule.getFrom().getFirst();
    assertThat(peer.getIpBlock()).isNull();
    assertThat(peer.getNamespaceSelector()).isNotNull();
    assertThat(peer.getPodSelector()).isNotNull();
    assertThat(
            matches(
                peer.getNamespaceSelector(),
                Map.of("kubernetes.io/metadata.name", ChartFixture.NAMESPACE)))
        .isTrue();
    assertThat(matches(peer.getNamespaceSelector(), Map.of("kubernetes.io/metadata.name", "other")))
        .isFalse();
    // ... that are this release's gateway or controller pods: every one of them, nothing else.
    for (V1Deployment d : zeroscale) {
      assertThat(
              matches(peer.getPodSelector(), d.getSpec().getTemplate().getMetadata().getLabels()))
          .as("%s may reach the instances", d.getMetadata().getName())
          .isTrue();
    }
    assertThat(matches(peer.getPodSelector(), instance)).as("instance to instance").isFalse();
    Map<String, String> gateway =
        zeroscale.getFirst().getSpec().getTemplate().getMetadata().getLabels();
    assertThat(matches(peer.getPodSelector(), with(gateway, "app.kubernetes.io/instance", "other")))
        .as("another release's gateway")
        .isFalse();
    assertThat(matches(peer.getPodSelector(), with(gateway, "app.kubernetes.io/component", "job")))
        .as("another component of this release")
        .isFalse();
    assertThat(matches(peer.getPodSelector(), Map.of("app", "anything"))).isFalse();
  }

  private static V1Pod instancePod(String namespace) {
    var properties = ChartRuntime.properties(namespace);
    var plan =
        new InstancePlan(
            "3f2a9c4e-1b7d-4e8a-9c21-5d6e7f8a9b0c",
            new DeploymentSpec(
                "7f3c1a52-0c5e-4d8e-9d3a-2b1f6c0e9a41",
                "0b8f5a9e-3f41-4c7d-8a62-5d1e2f3a4b5c",
                "acme",
                "llama-8b",
                Family.LLM,
                "hf://meta-llama/Llama-3.1-8B-Instruct@0e9e39f",
                "H100-80GB",
                1,
                64,
                new ScalingSettings(0, 2, 300, 900, 1000, 0.7, 60, true),
                DeploymentStatus.DEPLOYING,
                null,
                3,
                1,
                EngineOptions.NONE,
                1),
            "zse_key",
            null,
            false);
    return PodTemplates.pod(plan, properties);
  }

  private static Map<String, String> with(Map<String, String> labels, String key, String value) {
    var copy = new java.util.HashMap<>(labels);
    copy.put(key, value);
    return copy;
  }

  /** Kubernetes' label selector semantics; an empty selector selects everything. */
  static boolean matches(V1LabelSelector selector, Map<String, String> labels) {
    if (selector.getMatchLabels() != null) {
      for (var e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (V1LabelSelectorRequirement r : selector.getMatchExpressions()) {
        String value = labels.get(r.getKey());
        boolean ok =
            switch (r.getOperator()) {
              case "In" -> value != null && r.getValues().contains(value);
              case "NotIn" -> value == null || !r.getValues().contains(value);
              case "Exists" -> value != null;
              case "DoesNotExist" -> value == null;
              default -> throw new AssertionError("operator " + r.getOperator());
            };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }
}
