package io.zeroscale.activator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Secret;
import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.api.redis.S3Access;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The pod of an S3 model (issue #20): {@code serve s3://… --load-format runai_streamer}, its {@code
 * AWS_*} from the deployment's Secret by reference, never by value.
 */
class S3PodTemplatesTest {

  private static final String SECRET = "tenantS3SecretKey0123456789abcdefghijklm";
  private static final KubernetesRuntimeProperties DEFAULTS =
      KubernetesRuntimeProperties.defaults();

  private static InstancePlan plan(S3Access access) {
    DeploymentSpec d =
        new DeploymentSpec(
            Plans.DEPLOYMENT_ID,
            Plans.TENANT_ID,
            "acme",
            "s3-chat",
            Family.LLM,
            "s3://models/llama/7b",
            "H100-80GB",
            1,
            64,
            new ScalingSettings(0, 2, 300, 900, 1000, 0.7, 60, true),
            DeploymentStatus.DEPLOYING,
            null,
            3,
            1,
            EngineOptions.NONE,
            1);
    return new InstancePlan("i-s3", d, Plans.ENGINE_KEY, null, false, access);
  }

  @Test
  void argsLoadTheS3UriWithTheRunaiStreamer() {
    var args = PodTemplates.engineArgs(plan(S3Access.ANONYMOUS), DEFAULTS);
    assertThat(args.subList(0, 4))
        .containsExactly("serve", "s3://models/llama/7b", "--load-format", "runai_streamer");
    assertThat(args).doesNotContain("--revision");
  }

  @Test
  void theDeploymentSecretHoldsTheAwsVariablesAndThePodReferencesThem() {
    InstancePlan plan =
        plan(new S3Access("http://minio:9000", "eu-west-1", "AKIATENANT", SECRET, "sess"));
    V1Secret secret = PodTemplates.hfTokenSecret(plan, DEFAULTS);
    assertThat(secret).isNotNull();
    assertThat(secret.getMetadata().getName())
        .isEqualTo(PodTemplates.hfTokenSecretName(Plans.DEPLOYMENT_ID));
    assertThat(secret.getData())
        .containsOnlyKeys(
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_REGION",
            "AWS_ENDPOINT_URL",
            "AWS_EC2_METADATA_DISABLED");
    assertThat(new String(secret.getData().get("AWS_SECRET_ACCESS_KEY"), StandardCharsets.UTF_8))
        .isEqualTo(SECRET);

    V1Container c = PodTemplates.pod(plan, DEFAULTS).getSpec().getContainers().getFirst();
    for (String name :
        new String[] {
          "AWS_ACCESS_KEY_ID",
          "AWS_SECRET_ACCESS_KEY",
          "AWS_ENDPOINT_URL",
          "AWS_EC2_METADATA_DISABLED"
        }) {
      V1EnvVar v =
          c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
      assertThat(v.getValue()).as(name).isNull();
      assertThat(v.getValueFrom().getSecretKeyRef().getName())
          .isEqualTo(PodTemplates.hfTokenSecretName(Plans.DEPLOYMENT_ID));
      assertThat(v.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(name);
    }
    assertThat(PodTemplates.pod(plan, DEFAULTS).toString()).doesNotContain(SECRET);
  }

  @Test
  void anAnonymousS3ModelOnAwsGetsOnlyTheMetadataServiceTurnedOff() {
    // No credentials: the SDK must not fall back to the node's instance-metadata role.
    V1Secret secret = PodTemplates.hfTokenSecret(plan(S3Access.ANONYMOUS), DEFAULTS);
    assertThat(secret).isNotNull();
    assertThat(secret.getData()).containsOnlyKeys("AWS_EC2_METADATA_DISABLED");
    assertThat(
            new String(secret.getData().get("AWS_EC2_METADATA_DISABLED"), StandardCharsets.UTF_8))
        .isEqualTo("true");
    assertThat(
            PodTemplates.pod(plan(S3Access.ANONYMOUS), DEFAULTS)
                .getSpec()
                .getContainers()
                .getFirst()
                .getEnv())
        .extracting(V1EnvVar::getName)
        .filteredOn(n -> n.startsWith("AWS_"))
        .containsExactly("AWS_EC2_METADATA_DISABLED");
  }
}
