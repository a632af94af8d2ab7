package io.zeroscale.activator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.activator.loop.Credentials;
import io.zeroscale.api.redis.S3Access;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The secrets given to an instance never reach its tenant's log lines. */
class RuntimeLogsTest {

  private static final String HF = "TenantTokenWithoutThePrefix";
  private static final String PLATFORM = "PlatformTokenOfTheServer";
  private static final String S3_SECRET = "wJalrXUtnFEMI K7MDENG";

  /** A runtime whose every instance of deployment "d" logs {@code lines}. */
  private static InstanceRuntime logging(List<String> lines) {
    return new InstanceRuntime() {
      @Override
      public String name() {
        return "test";
      }

      @Override
      public Mono<Launch> launch(InstancePlan plan) {
        return Mono.error(new UnsupportedOperationException());
      }

      @Override
      public Mono<List<RuntimeInstance>> list() {
        return Mono.just(List.of());
      }

      @Override
      public Mono<Void> stop(String instanceId, Duration grace) {
        return Mono.empty();
      }

      @Override
      public Mono<List<String>> logs(
          String deploymentId, String instanceId, int lines2, int maxBytes) {
        return deploymentId.equals("d") ? Mono.just(lines) : Mono.empty();
      }
    };
  }

  @Test
  void theDeploymentsSecretsAreBlanked() throws Exception {
    RuntimeLogs logs =
        new RuntimeLogs(
            logging(
                List.of(
                    "HF_TOKEN is " + HF + " and the server's " + PLATFORM,
                    "s3 secret: " + S3_SECRET + ".",
                    "short abc stays")),
            id -> Mono.just(List.of(HF, PLATFORM, S3_SECRET, "abc")));
    assertThat(logs.tail("d", "i", 10).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .contains(
            List.of(
                "HF_TOKEN is [REDACTED] and the server's [REDACTED]",
                "s3 secret: [REDACTED].",
                "short abc stays"));
    assertThat(logs.tail("other", "i", 10).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo(Optional.empty());
  }

  @Test
  void secretsThatCannotBeReadGiveNoLines() {
    RuntimeLogs logs =
        new RuntimeLogs(
            logging(List.of("HF_TOKEN is " + HF)),
            id -> Mono.error(new IllegalStateException("redis down")));
    assertThatThrownBy(() -> logs.tail("d", "i", 10).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
  }

  @Test
  void aTokensSecretsAreWhatItsInstanceIsGiven() {
    assertThat(new Credentials.Token(HF, false).secrets(PLATFORM)).containsExactly(HF);
    assertThat(new Credentials.Token(null, true).secrets(PLATFORM)).containsExactly(PLATFORM);
    assertThat(new Credentials.Token(null, true).secrets(null)).isEmpty();
    assertThat(new Credentials.Token(null, false).secrets(PLATFORM)).isEmpty();
    S3Access s3 = new S3Access(null, "eu-west-1", "AKIAIOSFODNN7EXAMPLE", S3_SECRET, "session-tok");
    assertThat(new Credentials.Token(null, false, s3).secrets(PLATFORM))
        .containsExactly(S3_SECRET, "session-tok");
  }
}
