package io.zeroscale.activator.runtime;

import io.zeroscale.api.DeploymentSpec;
import java.util.List;

/**
 * One instance the activator wants running.
 *
 * @param instanceId unique across the platform; also the runtime's handle on it (pod name suffix,
 *     state file name)
 * @param deployment what it serves: model, GPU type and count, max_batch_size
 */
public record InstancePlan(String instanceId, DeploymentSpec deployment) {

  /**
   * The names the engine answers to: the deployment's {@code model_name} and its full name {@code
   * <tenant>/<model_name>}, since clients may send either and the gateway forwards the body as is.
   */
  public List<String> servedModelNames() {
    return List.of(deployment.modelName(), deployment.fullName());
  }
}
