package io.zeroscale.gateway.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretsPropertiesTest {

  @Test
  void validatesTheKeyWithoutEchoingIt() {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 7);
    String good = Base64.getEncoder().encodeToString(key);
    assertThat(new SecretsProperties(good).keyBytes()).isEqualTo(key);
    assertThat(new SecretsProperties(good).toString()).doesNotContain(good);
    assertThatThrownBy(() -> new SecretsProperties(null))
        .hasMessageContaining("zeroscale.secrets.key is required");
    String short16 = Base64.getEncoder().encodeToString(new byte[16]);
    assertThatThrownBy(() -> new SecretsProperties(short16))
        .hasMessageContaining("must decode to 32 bytes")
        .hasMessageNotContaining(short16);
  }
}
