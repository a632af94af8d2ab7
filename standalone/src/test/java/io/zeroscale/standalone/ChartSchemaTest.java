package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code values.schema.json} through helm itself: a value of the wrong type in each documented
 * section of values.yaml stops {@code helm template} (and so {@code helm install}), as do unknown
 * keys and the chart's own consistency checks.
 */
class ChartSchemaTest {

  @TempDir static Path dir;

  /** Per top-level section: a values file with one wrong type in it, and the offending key. */
  static Stream<Arguments> wrongTypes() {
    return Stream.of(
        Arguments.of("nameOverride", "nameOverride: 5", "nameOverride"),
        Arguments.of("fullnameOverride", "fullnameOverride: [a]", "fullnameOverride"),
        Arguments.of("image", "image: {tag: 1.5}", "tag"),
        Arguments.of("imagePullSecrets", "imagePullSecrets: regcred", "imagePullSecrets"),
        Arguments.of("auth", "auth: {adminKey: true}", "adminKey"),
        Arguments.of("postgresql", "postgresql: {username: [u]}", "username"),
        Arguments.of("redis", "redis: {url: 6379}", "url"),
        Arguments.of("app", "app: {managementPort: \"9090\"}", "managementPort"),
        Arguments.of("gateway", "gateway: {replicas: two}", "replicas"),
        Arguments.of("controller", "controller: {separate: \"yes\"}", "separate"),
        Arguments.of("serviceAccount", "serviceAccount: {create: 1}", "create"),
        Arguments.of("rbac", "rbac: {create: \"true\"}", "create"),
        Arguments.of("service", "service: {port: http}", "port"),
        Arguments.of("ingress", "ingress: {hosts: {host: a}}", "hosts"),
        Arguments.of("metrics", "metrics: {serviceMonitor: {interval: 30}}", "interval"),
        Arguments.of("instances", "instances: {containerPort: \"8000\"}", "containerPort"),
        Arguments.of(
            "instances.gpuProducts", "instances: {gpuProducts: {H100-80GB: 3}}", "gpuProducts"),
        Arguments.of("instances.extraArgs", "instances: {extraArgs: --x}", "extraArgs"),
        Arguments.of(
            "instances.runtimeClassName", "instances: {runtimeClassName: 7}", "runtimeClassName"),
        Arguments.of(
            "instances.tolerations",
            "instances: {tolerations: [{key: k, operator: Sometimes}]}",
            "operator"),
        Arguments.of(
            "instances.resources",
            "instances: {resources: {requests: {nvidia.com/gpu: \"1\"}}}",
            "nvidia.com/gpu"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrongTypes")
  void aWrongTypeInEachSectionIsRejected(String section, String yaml, String key) throws Exception {
    Path values = ChartFixture.valuesFile(dir, "bad-" + section, yaml);
    assertThatThrownBy(() -> ChartFixture.template(List.of(values), Map.of()))
        .hasMessageContaining("schema")
        .hasMessageContaining(key);
  }

  @Test
  void anUnknownKeyIsRejected() throws Exception {
    Path values = ChartFixture.valuesFile(dir, "typo", "gateway: {replica: 3}");
    assertThatThrownBy(() -> ChartFixture.template(List.of(values), Map.of()))
        .hasMessageContaining("schema")
        .hasMessageContaining("replica");
  }

  @Test
  void valuesTheAppWouldRefuseAreRejectedBeforeInstall() throws Exception {
    // The app refuses admin keys under 32 characters and secrets keys that are not 32 bytes.
    Path shortKey =
        ChartFixture.valuesFile(
            dir,
            "short",
            "auth: {adminKey: short, secretsKey: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}");
    assertThatThrownBy(() -> ChartFixture.template(List.of(shortKey), Map.of()))
        .hasMessageContaining("adminKey");
    Path oneKey =
        ChartFixture.valuesFile(dir, "one", "auth: {adminKey: 0123456789abcdef0123456789abcdef}");
    assertThatThrownBy(() -> ChartFixture.template(List.of(oneKey), Map.of()))
        .hasMessageContaining("give both");
    Path badNamespace = ChartFixture.valuesFile(dir, "ns", "instances: {namespace: GPU_pods}");
    assertThatThrownBy(() -> ChartFixture.template(List.of(badNamespace), Map.of()))
        .hasMessageContaining("namespace");
  }
}
