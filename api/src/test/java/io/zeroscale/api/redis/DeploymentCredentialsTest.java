package io.zeroscale.api.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.crypto.SecretBox;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class DeploymentCredentialsTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String TOKEN = "hf_PrivateTenantToken1234";

  private static SecretBox box(int fill) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) fill);
    return new SecretBox(key, new SecureRandom());
  }

  @Test
  void roundTripsEachShape() {
    var tenant = DeploymentCredentials.tenant(box(7), "dep-1", TOKEN);
    for (var c :
        new DeploymentCredentials[] {
          tenant, DeploymentCredentials.NONE, DeploymentCredentials.PLATFORM
        }) {
      assertThat(DeploymentCredentials.read(JSON, c.write(JSON))).isEqualTo(c);
    }
    assertThat(DeploymentCredentials.NONE.write(JSON))
        .isEqualTo("{\"hf_token_sealed\":null,\"platform_token\":false}");
    assertThat(DeploymentCredentials.PLATFORM.write(JSON))
        .isEqualTo("{\"hf_token_sealed\":null,\"platform_token\":true}");
  }

  @Test
  void theTokenIsNeverInClearAndOpensForItsDeploymentOnly() {
    SecretBox box = box(7);
    var c = DeploymentCredentials.tenant(box, "dep-1", TOKEN);
    String text = c.write(JSON);
    assertThat(text).doesNotContain(TOKEN).doesNotContain("PrivateTenant");
    assertThat(c.toString()).doesNotContain(TOKEN);
    var read = DeploymentCredentials.read(JSON, text);
    assertThat(read.hasTenantToken()).isTrue();
    assertThat(read.open(box, "dep-1")).isEqualTo(TOKEN);
    // Copied to another deployment's field, or opened with another key: it does not open.
    assertThatThrownBy(() -> read.open(box, "dep-2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(TOKEN);
    assertThatThrownBy(() -> read.open(box(9), "dep-1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(DeploymentCredentials.NONE.open(box, "dep-1")).isNull();
  }

  @Test
  void unknownFieldsAreIgnoredAndMissingOnesMeanNone() {
    assertThat(DeploymentCredentials.read(JSON, "{\"extra\":1}"))
        .isEqualTo(DeploymentCredentials.NONE);
    assertThat(DeploymentCredentials.read(JSON, "{\"platform_token\":true,\"x\":\"y\"}"))
        .isEqualTo(DeploymentCredentials.PLATFORM);
  }

  @Test
  void malformedEntriesAreRefused() {
    assertThatThrownBy(() -> DeploymentCredentials.read(JSON, "nope"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DeploymentCredentials.read(JSON, "[1]"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DeploymentCredentials.read(JSON, "{\"hf_token_sealed\":\"***\"}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DeploymentCredentials.read(JSON, "{\"hf_token_sealed\":5}"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void neverBothTokens() {
    assertThatThrownBy(() -> new DeploymentCredentials(new byte[28], true))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
