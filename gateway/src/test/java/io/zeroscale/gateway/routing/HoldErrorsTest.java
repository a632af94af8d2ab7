package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class HoldErrorsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(900);

  private static DeploymentSpec spec(DeploymentStatus status, String reason) {
    return new DeploymentSpec(
        "d1",
        "t1",
        "acme",
        "chat",
        Family.LLM,
        "hf://a/b@main",
        "H100-80GB",
        8,
        8,
        new ScalingSettings(0, 1, 300, 900, 1000, 0.7, 60, true),
        status,
        reason,
        1,
        1,
        EngineOptions.NONE,
        1);
  }

  private static OpenAiError error(Throwable e, DeploymentSpec now) {
    Throwable mapped =
        HoldErrors.toClient(
            e, spec(DeploymentStatus.PENDING, null), Optional.ofNullable(now), TIMEOUT);
    assertThat(mapped).isInstanceOf(ZeroscaleException.class);
    return ((ZeroscaleException) mapped).error();
  }

  @Test
  void aTimeoutWhileTheDeploymentWaitsForGpuCapacityIs503WithTheReason() {
    OpenAiError e =
        error(
            new TimeoutException(),
            spec(DeploymentStatus.PENDING, "insufficient GPU capacity: 0 of 8 H100-80GB free"));
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.code()).isEqualTo("insufficient_capacity");
    assertThat(e.type()).isEqualTo("service_unavailable_error");
    assertThat(e.message())
        .isEqualTo(
            "No instance of `acme/chat` became available within its activation timeout of 900 s:"
                + " insufficient GPU capacity: 0 of 8 H100-80GB free");
  }

  @Test
  void anyOtherTimeoutIs504() {
    assertThat(error(new TimeoutException(), spec(DeploymentStatus.PENDING, null)).status())
        .isEqualTo(504);
    assertThat(
            error(new TimeoutException(), spec(DeploymentStatus.DEPLOYING, "slow image pull"))
                .code())
        .isEqualTo("activation_timeout");
    assertThat(error(new TimeoutException(), null).status()).isEqualTo(504);
  }

  @Test
  void aBootRefusedForTheSpendLimitIs402ForHeldRequests() {
    OpenAiError e =
        error(
            new Routing.DeploymentFailed(
                spec(
                    DeploymentStatus.FAILED,
                    "spend limit reached: The spend limit of $1.00 for 2026-11 …")),
            null);
    assertThat(e.status()).isEqualTo(402);
    assertThat(e.type()).isEqualTo("insufficient_quota");
    assertThat(e.code()).isEqualTo("spend_limit_reached");
    assertThat(e.message()).isEqualTo("The spend limit of $1.00 for 2026-11 …");
  }

  @Test
  void failedGoneAndFullMapToTheirStatuses() {
    OpenAiError failed =
        error(
            new Routing.DeploymentFailed(spec(DeploymentStatus.FAILED, "image pull error")), null);
    assertThat(failed.status()).isEqualTo(503);
    assertThat(failed.code()).isEqualTo("deployment_failed");
    assertThat(failed.message())
        .isEqualTo("The model `acme/chat` failed to start: image pull error");

    OpenAiError gone = error(new Routing.DeploymentGone("acme/chat"), null);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.code()).isEqualTo("model_not_found");

    assertThat(error(new QueueFull("acme/chat", 3), null).code()).isEqualTo("queue_full");
    IllegalStateException other = new IllegalStateException();
    assertThat(
            HoldErrors.toClient(
                other, spec(DeploymentStatus.RUNNING, null), Optional.empty(), TIMEOUT))
        .isSameAs(other);
  }
}
