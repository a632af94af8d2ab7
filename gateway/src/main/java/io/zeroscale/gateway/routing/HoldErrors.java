package io.zeroscale.gateway.routing;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/** How a request's wait for a slot ends when it gets none: the error its client sees. */
final class HoldErrors {

  /** How the activator's reason starts when the spend limit refused a boot. */
  static final String SPEND_LIMIT = "spend limit reached: ";

  private HoldErrors() {}

  private static boolean spendLimit(String reason) {
    return reason != null
        && reason.startsWith(SPEND_LIMIT)
        && reason.length() > SPEND_LIMIT.length();
  }

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
      case Routing.DeploymentFailed f when spendLimit(f.reason()) ->
          new ZeroscaleException(
              OpenAiError.of(
                  402,
                  f.reason().substring(SPEND_LIMIT.length()),
                  null,
                  WakeUpGuard.SPEND_LIMIT_CODE));
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
            .filter(s -> s.status() == DeploymentStatus.PENDING)
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
