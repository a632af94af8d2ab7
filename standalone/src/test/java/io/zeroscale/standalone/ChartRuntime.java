package io.zeroscale.standalone;

import io.zeroscale.activator.kubernetes.KubernetesRuntimeProperties;

/** The activator's Kubernetes runtime as the chart tests run it. */
final class ChartRuntime {

  private ChartRuntime() {}

  /**
   * The runtime's defaults with pods in {@code namespace}: the built-in engine images and GPU
   * products, and no service account, extra args, runtime class, tolerations or resources.
   */
  static KubernetesRuntimeProperties properties(String namespace) {
    KubernetesRuntimeProperties defaults = KubernetesRuntimeProperties.defaults();
    return new KubernetesRuntimeProperties(
        namespace,
        null,
        defaults.containerPort(),
        defaults.gpuNodeLabel(),
        null,
        defaults.hfTokenSecret(),
        defaults.hfTokenKey(),
        defaults.hfHome(),
        null,
        defaults.terminationGracePeriod(),
        null,
        null,
        null,
        null);
  }
}
