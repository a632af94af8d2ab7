package io.zeroscale.sim.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulator takes {@code --load-format} and keeps only fingerprints of S3 secrets (#20). */
class ModelLoadTest {

  private static final String SECRET = "tenantS3SecretKey0123456789abcdefghijklm";

  @Test
  void anS3CommandLineIsAcceptedAndRecorded() {
    ParseResult r =
        SimConfigParser.parse(
            Map.of(
                "AWS_ACCESS_KEY_ID", "AKIATENANT0123",
                "AWS_SECRET_ACCESS_KEY", SECRET,
                "AWS_REGION", "eu-west-1",
                "AWS_ENDPOINT_URL", "http://minio:9000",
                "AWS_EC2_METADATA_DISABLED", "true",
                "AWS_SESSION_TOKEN", ""),
            "s3://models/llama/7b",
            "--load-format=runai_streamer",
            "--served-model-name=chat");
    assertThat(r).isInstanceOf(ParseResult.Ok.class);
    ModelLoad load = ((ParseResult.Ok) r).config().modelLoad();
    assertThat(load.model()).isEqualTo("s3://models/llama/7b");
    assertThat(load.loadFormat()).isEqualTo("runai_streamer");
    assertThat(load.s3Related()).isTrue();
    assertThat(load.awsSecrets()).containsOnlyKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    assertThat(load.awsSecrets().get("AWS_SECRET_ACCESS_KEY").sha256())
        .isEqualTo(TokenFingerprint.sha256Prefix(SECRET));
    assertThat(load.awsSecrets().get("AWS_SECRET_ACCESS_KEY").masked()).isEqualTo("ten…jklm");
    assertThat(load.awsSettings())
        .containsEntry("AWS_REGION", "eu-west-1")
        .containsEntry("AWS_ENDPOINT_URL", "http://minio:9000")
        .containsEntry("AWS_EC2_METADATA_DISABLED", "true");
    assertThat(load.toString()).doesNotContain(SECRET);
  }

  @Test
  void theSpaceSeparatedFormToo() {
    ParseResult r =
        SimConfigParser.parse(
            Map.of(), "org/repo", "--load-format", "auto", "--served-model-name=c");
    assertThat(((ParseResult.Ok) r).config().modelLoad().loadFormat()).isEqualTo("auto");
  }

  @Test
  void aHubCommandLineHasNothingS3Related() {
    ParseResult r = SimConfigParser.parse(Map.of(), "org/repo", "--served-model-name=c");
    assertThat(((ParseResult.Ok) r).config().modelLoad().s3Related()).isFalse();
  }
}
