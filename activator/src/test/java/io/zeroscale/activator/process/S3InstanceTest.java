package io.zeroscale.activator.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.api.redis.S3Access;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a process instance of an S3 model gets (issue #20): the {@code s3://} source as vLLM's model
 * argument with {@code --load-format=runai_streamer} and no revision, and the plan's {@code AWS_*}
 * only, never the activator's.
 */
class S3InstanceTest {

  private static final String SECRET = "tenantS3SecretKey0123456789abcdefghijklm";
  private static final S3Access ACCESS =
      new S3Access("http://minio:9000", "eu-west-1", "AKIATENANT", SECRET, null);

  private static DeploymentSpec deployment(String source) {
    return new DeploymentSpec(
        "d-1",
        "t-1",
        "acme",
        "s3-chat",
        Family.LLM,
        source,
        "A100-80GB",
        1,
        64,
        new ScalingSettings(0, 2, 300, 900, 1000, 0.7, 60, true),
        DeploymentStatus.DEPLOYING,
        null,
        3,
        1,
        EngineOptions.NONE,
        1);
  }

  private static final List<String> VLLM =
      List.of(
          "vllm",
          "serve",
          "{repo}",
          "--revision={revision}",
          "--port={port}",
          "--served-model-name={model_name}");

  @Test
  void anS3PlanRunsTheS3UriWithTheRunaiStreamerAndNoRevision() {
    InstancePlan plan =
        new InstancePlan("i-1", deployment("s3://models/llama/7b"), "k", null, false, ACCESS);
    assertThat(plan.fromS3()).isTrue();
    assertThat(plan.repo()).isEqualTo("s3://models/llama/7b");
    assertThat(ProcessRuntime.expand(VLLM, plan, "127.0.0.1", 8123))
        .containsExactly(
            "vllm",
            "serve",
            "s3://models/llama/7b",
            "--load-format=runai_streamer",
            "--port=8123",
            "--served-model-name=s3-chat");
    assertThat(plan.toString()).doesNotContain(SECRET);
  }

  @Test
  void aHubPlanIsExpandedAsBefore() {
    InstancePlan plan = new InstancePlan("i-1", deployment("hf://org/repo@abc"), "k", null, false);
    assertThat(plan.fromS3()).isFalse();
    assertThat(ProcessRuntime.expand(VLLM, plan, "127.0.0.1", 8123))
        .containsExactly(
            "vllm",
            "serve",
            "org/repo",
            "--revision=abc",
            "--port=8123",
            "--served-model-name=s3-chat");
  }

  @Test
  void theActivatorsOwnAwsVariablesNeverPassEvenWhenListed() {
    Map<String, String> host =
        Map.of(
            "PATH", "/bin",
            "AWS_ACCESS_KEY_ID", "AKIASERVER",
            "AWS_SECRET_ACCESS_KEY", "serverSecret",
            "AWS_SESSION_TOKEN", "serverSession",
            "AWS_REGION", "server-region",
            "AWS_ENDPOINT_URL", "http://internal",
            "AWS_EC2_METADATA_DISABLED", "false",
            "AWS_PROFILE", "ops");
    var listed =
        new InstanceIsolation(
            List.of(
                "AWS_SECRET_ACCESS_KEY",
                "AWS_REGION",
                "AWS_ENDPOINT_URL",
                "AWS_EC2_METADATA_DISABLED",
                "AWS_PROFILE"),
            host,
            null);
    Map<String, String> env = listed.environment(Path.of("/i"), "k", null, false);
    assertThat(env)
        .doesNotContainKeys(
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_REGION",
            "AWS_ENDPOINT_URL",
            "AWS_EC2_METADATA_DISABLED")
        .as("another AWS_* named exactly passes, as any exact name")
        .containsEntry("AWS_PROFILE", "ops");
    assertThat(new InstanceIsolation(List.of(), host, null).environment(Path.of("/i"), "k", null))
        .doesNotContainKeys("AWS_PROFILE", "AWS_REGION");
  }

  @Test
  void patternsThatCouldMatchAwsVariablesAreRefused() {
    for (String pattern : List.of("A*", "AW*", "AWS*", "AWS_*", "AWS_RE*")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> new InstanceIsolation(List.of(pattern), Map.of(), null))
          .as(pattern)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("AWS_");
    }
  }
}
