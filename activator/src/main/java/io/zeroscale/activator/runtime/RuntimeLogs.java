package io.zeroscale.activator.runtime;

import io.zeroscale.api.InstanceLogs;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** {@link InstanceLogs} from the runtime this process runs instances with. */
public final class RuntimeLogs implements InstanceLogs {

  private final InstanceRuntime runtime;

  public RuntimeLogs(InstanceRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public CompletionStage<Optional<List<String>>> tail(
      String deploymentId, String instanceId, int lines) {
    return runtime
        .logs(deploymentId, instanceId, lines, MAX_BYTES)
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }
}
