package io.zeroscale.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.Family;
import io.zeroscale.api.crypto.SecretBox;
import io.zeroscale.api.redis.DeploymentCredentials;
import io.zeroscale.gateway.model.InstanceTokens.Source;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The platform-token rule of issue #16, and the entries it makes. */
class InstanceTokensTest {

  private static final String TOKEN = "hf_TenantsOwnToken42";
  private final SecretBox box = box();

  private static SecretBox box() {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 3);
    return new SecretBox(key, new SecureRandom());
  }

  private static Model model(ModelStatus status, boolean hasToken) {
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    return new Model(
        UUID.randomUUID(),
        UUID.randomUUID(),
        "m",
        "hf://org/repo@main",
        "org/repo",
        "main",
        Family.LLM,
        status,
        null,
        null,
        null,
        null,
        null,
        null,
        hasToken,
        now,
        now,
        null,
        false);
  }

  @Test
  void aVerifiedPublicModelGetsNoTokenWhateverTheSetting() {
    assertThat(InstanceTokens.source(false, ModelStatus.READY, false)).isEqualTo(Source.NONE);
    assertThat(InstanceTokens.source(false, ModelStatus.READY, true)).isEqualTo(Source.NONE);
    assertThat(
            new InstanceTokens(box, true).credentials("d", model(ModelStatus.READY, false), null))
        .isEqualTo(DeploymentCredentials.NONE);
  }

  @Test
  void anUnverifiedModelGetsThePlatformTokenOnlyWhenTheOperatorAllowsIt() {
    assertThat(InstanceTokens.source(false, ModelStatus.UNVERIFIED, true))
        .isEqualTo(Source.PLATFORM);
    assertThat(InstanceTokens.source(false, ModelStatus.UNVERIFIED, false)).isEqualTo(Source.NONE);
    Model unverified = model(ModelStatus.UNVERIFIED, false);
    assertThat(new InstanceTokens(box, true).credentials("d", unverified, null))
        .isEqualTo(DeploymentCredentials.PLATFORM);
    assertThat(new InstanceTokens(box, false).credentials("d", unverified, null))
        .isEqualTo(DeploymentCredentials.NONE);
  }

  @Test
  void theTenantsTokenWinsAndIsSealedForTheDeploymentOnly() {
    for (ModelStatus status : new ModelStatus[] {ModelStatus.READY, ModelStatus.UNVERIFIED}) {
      for (boolean allowed : new boolean[] {false, true}) {
        assertThat(InstanceTokens.source(true, status, allowed)).isEqualTo(Source.TENANT);
      }
    }
    DeploymentCredentials c =
        new InstanceTokens(box, true)
            .credentials("dep-a", model(ModelStatus.UNVERIFIED, true), TOKEN);
    assertThat(c.platformToken()).isFalse();
    assertThat(c.write(JsonMapper.builder().build())).doesNotContain(TOKEN);
    assertThat(c.open(box, "dep-a")).isEqualTo(TOKEN);
  }

  @Test
  void aTenantTokenThatDidNotOpenIsNeverReplacedByThePlatforms() {
    assertThat(
            new InstanceTokens(box, true)
                .credentials("d", model(ModelStatus.UNVERIFIED, true), null))
        .isEqualTo(DeploymentCredentials.NONE);
  }

  @Test
  void theResyncRewritesOnlyEntriesOfTheWrongShape() {
    InstanceTokens allowed = new InstanceTokens(box, true);
    InstanceTokens refused = new InstanceTokens(box, false);
    Model unverified = model(ModelStatus.UNVERIFIED, false);
    assertThat(allowed.matches(DeploymentCredentials.PLATFORM, unverified)).isTrue();
    assertThat(refused.matches(DeploymentCredentials.PLATFORM, unverified)).isFalse();
    assertThat(refused.matches(DeploymentCredentials.NONE, unverified)).isTrue();
    Model withToken = model(ModelStatus.READY, true);
    assertThat(allowed.matches(DeploymentCredentials.tenant(box, "d", TOKEN), withToken)).isTrue();
    assertThat(allowed.matches(DeploymentCredentials.NONE, withToken)).isFalse();
  }
}
