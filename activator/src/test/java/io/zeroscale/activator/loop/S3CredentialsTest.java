package io.zeroscale.activator.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.crypto.SecretBox;
import io.zeroscale.api.redis.DeploymentCredentials;
import io.zeroscale.api.redis.S3Access;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** {@link Credentials} opening an S3 model's entry (issue #20). */
class S3CredentialsTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final S3Access ACCESS =
      new S3Access("http://minio:9000", null, "AKIATENANT", "tenantSecret0123456789", null);

  private static SecretBox box(int fill) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) fill);
    return new SecretBox(key, new SecureRandom());
  }

  @Test
  void theS3AccessOpensForItsDeploymentOnly() {
    SecretBox box = box(7);
    DeploymentCredentials entry = DeploymentCredentials.s3(box, "dep-1", ACCESS, JSON);
    Credentials.Token t = new Credentials(box).open("dep-1", entry);
    assertThat(t.s3()).isEqualTo(ACCESS);
    assertThat(t.hfToken()).isNull();
    assertThat(t.platformToken()).isFalse();
    assertThat(t.toString()).doesNotContain("tenantSecret");

    assertThat(new Credentials(box).open("dep-2", entry)).isEqualTo(Credentials.Token.NONE);
    assertThat(new Credentials(box(8)).open("dep-1", entry)).isEqualTo(Credentials.Token.NONE);
    assertThat(new Credentials(null).open("dep-1", entry)).isEqualTo(Credentials.Token.NONE);
  }

  @Test
  void aHubEntryHasNoS3Access() {
    assertThat(new Credentials(box(7)).open("d", DeploymentCredentials.PLATFORM).s3()).isNull();
  }
}
