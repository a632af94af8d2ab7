package io.zeroscale.api.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.crypto.SecretBox;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** {@link S3Access} and the {@code s3_sealed} part of a credentials entry (issue #20). */
class S3AccessTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  private static final S3Access FULL =
      new S3Access("http://minio:9000", "eu-west-1", "AKIAEXAMPLE", SECRET, "sessionTok");

  private static SecretBox box(int fill) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) fill);
    return new SecretBox(key, new SecureRandom());
  }

  @Test
  void environmentHasExactlyTheVariablesThatAreSet() {
    assertThat(FULL.environment())
        .containsExactly(
            java.util.Map.entry("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"),
            java.util.Map.entry("AWS_SECRET_ACCESS_KEY", SECRET),
            java.util.Map.entry("AWS_SESSION_TOKEN", "sessionTok"),
            java.util.Map.entry("AWS_REGION", "eu-west-1"),
            java.util.Map.entry("AWS_ENDPOINT_URL", "http://minio:9000"),
            java.util.Map.entry("AWS_EC2_METADATA_DISABLED", "true"));
    // Never the host's instance-metadata role, least of all without credentials.
    assertThat(S3Access.ANONYMOUS.environment())
        .containsExactly(java.util.Map.entry("AWS_EC2_METADATA_DISABLED", "true"));
    assertThat(new S3Access(null, "us-east-2", null, null, null).environment())
        .containsOnlyKeys("AWS_REGION", "AWS_EC2_METADATA_DISABLED");
  }

  @Test
  void keyIdAndSecretGoTogetherAndASessionTokenNeedsThem() {
    assertThatThrownBy(() -> new S3Access(null, null, "AKIA", null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new S3Access(null, null, null, SECRET, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new S3Access(null, null, null, null, "tok"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void writeAndReadRoundTripAndToStringHidesTheSecrets() {
    assertThat(S3Access.read(JSON, FULL.write(JSON))).isEqualTo(FULL);
    assertThat(S3Access.read(JSON, S3Access.ANONYMOUS.write(JSON))).isEqualTo(S3Access.ANONYMOUS);
    assertThat(FULL.toString()).doesNotContain(SECRET).doesNotContain("sessionTok");
    assertThatThrownBy(() -> S3Access.read(JSON, "[1]"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sealedPerDeploymentInTheCredentialsEntry() {
    SecretBox box = box(3);
    DeploymentCredentials entry = DeploymentCredentials.s3(box, "dep-1", FULL, JSON);
    String written = entry.write(JSON);
    assertThat(written).contains("\"s3_sealed\":").doesNotContain(SECRET);
    DeploymentCredentials read = DeploymentCredentials.read(JSON, written);
    assertThat(read).isEqualTo(entry);
    assertThat(read.hasS3()).isTrue();
    assertThat(read.hasTenantToken()).isFalse();
    assertThat(read.openS3(box, "dep-1", JSON)).isEqualTo(FULL);
    assertThat(read.toString()).doesNotContain(SECRET).contains("s3=<sealed>");
    assertThatThrownBy(() -> read.openS3(box, "dep-2", JSON))
        .as("bound to its deployment")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(() -> read.openS3(box(4), "dep-1", JSON))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void entriesWithoutS3ReadAndWriteAsBefore() {
    String old = "{\"hf_token_sealed\":null,\"platform_token\":true}";
    DeploymentCredentials read = DeploymentCredentials.read(JSON, old);
    assertThat(read.hasS3()).isFalse();
    assertThat(read.openS3(box(1), "d", JSON)).isNull();
    assertThat(read.write(JSON)).isEqualTo(old);
    assertThatThrownBy(() -> DeploymentCredentials.read(JSON, "{\"s3_sealed\":\"not base64!\"}"))
        .hasMessageContaining("s3_sealed");
    assertThatThrownBy(() -> DeploymentCredentials.read(JSON, "{\"s3_sealed\":5}"))
        .hasMessageContaining("s3_sealed");
  }
}
