package io.zeroscale.gateway.routing;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/** How a request's wait for a slot ends when it gets none: the error its client sees. */
final class HoldErrors {

  private HoldErrors() {}

  /**
   * Maps the outcome of {@link DeploymentQueue#acquire} to the client's error; anything else is
   * returned unchanged.
   *
   * @param arrived the deployment as the request resolved it
   * @param current the deployment as this gateway knows it now (empty when gone)
   * @param timeout the activation timeout the request waited
   */
  static Throwable toClient(
      Throwable e, DeploymentSpec arrived, Optional<DeploymentSpec> current, Duration timeout) {
    return switch (e) {
      case QueueFull q ->
          new ZeroscaleException(OpenAiError.of(429, q.getMessage(), null, "queue_full"), 1);
      case Routing.DeploymentFailed f ->
          new ZeroscaleException(OpenAiError.of(503, f.getMessage(), null, "deployment_failed"));
      case Routing.DeploymentGone g ->
          new ZeroscaleException(OpenAiError.of(404, g.getMessage(), "model", "model_not_found"));
      case TimeoutException t -> timedOut(arrived, current, timeout);
      default -> e;
    };
  }

  /**
   * Past {@code activation_timeout}: 503 when the control plane says why nothing started (a pending
   * deployment with a reason: no GPU capacity), else 504.
   */
  private static ZeroscaleException timedOut(
      DeploymentSpec arrived, Optional<DeploymentSpec> current, Duration timeout) {
    String within =
        "` became available within its activation timeout of " + timeout.toSeconds() + " s";
    Optional<String> reason =
        current
            .filter(s -> "pending".equals(s.status()))
            .map(DeploymentSpec::reason)
            .filter(r -> !r.isBlank());
    if (reason.isPresent()) {
      return new ZeroscaleException(
          OpenAiError.of(
              503,
              "No instance of `" + arrived.fullName() + within + ": " + reason.get(),
              null,
              "insufficient_capacity"));
    }
    return new ZeroscaleException(
        OpenAiError.of(
            504,
            "No instance of `" + arrived.fullName() + within + ".",
            null,
            "activation_timeout"));
  }
}
