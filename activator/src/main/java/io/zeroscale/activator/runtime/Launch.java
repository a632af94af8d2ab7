package io.zeroscale.activator.runtime;

/** How a runtime answered a request to start an instance (a failure is an error signal). */
public sealed interface Launch {

  /**
   * The runtime took it. The process runtime has started the process (it holds its GPUs); the
   * Kubernetes runtime has created the pod, which {@link InstanceRuntime#list()} then shows pending
   * or running.
   */
  record Accepted(String instanceId) implements Launch {}

  /**
   * Not enough free GPUs of the type: nothing was started, nothing holds GPUs, nothing is billed.
   * The activator asks again later.
   *
   * @param reason what the tenant sees, e.g. {@code insufficient GPU capacity: 0 of 8 H100-80GB
   *     free, 2 needed}
   */
  record NoCapacity(String reason) implements Launch {}
}
