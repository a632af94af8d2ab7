package io.zeroscale.activator;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.activator.core.BudgetPort;
import io.zeroscale.api.crypto.SecretBox;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Without billing's budget port the activator allows every boot, and does so out loud; the box that
 * opens tenants' tokens is the control plane's, or one of {@code zeroscale.secrets.key}.
 */
class ActivatorConfigurationTest {

  @Test
  void theHostsBudgetPortIsUsed() {
    BudgetPort billing = (t, d, i, g, n) -> Mono.just(BudgetPort.Answer.refused("no"));
    assertThat(ActivatorConfiguration.budgetOrUnlimited(billing)).isSameAs(billing);
  }

  @Test
  void withoutOneEveryBootIsAllowed() {
    assertThat(ActivatorConfiguration.budgetOrUnlimited(null)).isSameAs(BudgetPort.UNLIMITED);
  }

  @Test
  void theTokensOpenWithTheControlPlanesBoxOrTheSameKey() {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 4);
    SecretBox shared = new SecretBox(key, new SecureRandom());
    String base64 = Base64.getEncoder().encodeToString(key);
    assertThat(ActivatorConfiguration.secrets(shared, base64)).isSameAs(shared);

    SecretBox own = ActivatorConfiguration.secrets(null, base64);
    assertThat(own.open(shared.seal("hf_x", "ctx"), "ctx")).isEqualTo("hf_x");
    assertThat(ActivatorConfiguration.secrets(null, "")).isNull();
    assertThat(ActivatorConfiguration.secrets(null, null)).isNull();
  }
}
