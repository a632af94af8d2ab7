package io.zeroscale.activator.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.activator.events.EventOutbox;
import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.api.crypto.SecretBox;
import io.zeroscale.api.redis.DeploymentCredentials;
import io.zeroscale.api.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Each launch carries the deployment's own credentials entry, opened ({@link Credentials}, as
 * {@link RedisActivatorStore} opens them), and nobody else's.
 */
class ActivatorCredentialsTest {

  private static final String TOKEN = "hf_TenantAPrivate777";

  final MutableClock clock = MutableClock.at(ActivatorLoopTest.T0);
  final LoopFakes.Store store = new LoopFakes.Store();
  final LoopFakes.Runtime runtime = new LoopFakes.Runtime();
  final LoopFakes.Budget budget = new LoopFakes.Budget();
  final SecretBox box = box(5);
  final Activator activator =
      new Activator(
          runtime,
          store,
          new LoopFakes.Probe(),
          new EventOutbox(new LoopFakes.Events()),
          new LoopFakes.Heartbeats(),
          new LoopFakes.Status(),
          budget,
          ActivatorLoopTest.POLICY,
          clock);

  {
    store.opener = new Credentials(box);
  }

  private static SecretBox box(int fill) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) fill);
    return new SecretBox(key, new SecureRandom());
  }

  private InstancePlan launchOne(String deploymentId) {
    store.deployments.put(deploymentId, ActivatorLoopTest.spec(deploymentId, 0, 3));
    store.desired.put(deploymentId, 1);
    activator.tick().block(Duration.ofSeconds(30));
    return runtime.plans.values().stream()
        .filter(p -> p.deployment().id().equals(deploymentId))
        .findFirst()
        .orElse(null);
  }

  @Test
  void theTenantsTokenGoesToItsDeploymentsInstanceAndAnotherDeploymentGetsNone() {
    store.credentials.put("a", DeploymentCredentials.tenant(box, "a", TOKEN));
    store.credentials.put("b", DeploymentCredentials.NONE);

    InstancePlan a = launchOne("a");
    InstancePlan b = launchOne("b");

    assertThat(a.hfToken()).isEqualTo(TOKEN);
    assertThat(a.platformToken()).isFalse();
    assertThat(a.toString()).doesNotContain(TOKEN);
    assertThat(b.hfToken()).isNull();
    assertThat(b.platformToken()).isFalse();
  }

  @Test
  void anEntryCopiedFromAnotherDeploymentOrSealedWithAnotherKeyGivesNoToken() {
    store.credentials.put("c", DeploymentCredentials.tenant(box, "a", TOKEN));
    store.credentials.put("d", DeploymentCredentials.tenant(box(9), "d", TOKEN));

    assertThat(launchOne("c").hfToken()).isNull();
    InstancePlan d = launchOne("d");
    assertThat(d.hfToken()).isNull();
    assertThat(d.platformToken()).as("never the platform's instead").isFalse();
  }

  @Test
  void thePlatformFlagAndAMissingEntry() {
    store.credentials.put("p", DeploymentCredentials.PLATFORM);
    InstancePlan p = launchOne("p");
    assertThat(p.platformToken()).isTrue();
    assertThat(p.hfToken()).isNull();

    InstancePlan none = launchOne("none");
    assertThat(none.hfToken()).isNull();
    assertThat(none.platformToken()).isFalse();
  }

  @Test
  void anUnreadableStoreHoldsTheBootUntilItAnswers() {
    store.credentials.put("a", DeploymentCredentials.tenant(box, "a", TOKEN));
    store.credentialsDown = true;
    assertThat(launchOne("a")).isNull();
    assertThat(budget.reserved).as("nothing reserved either").isEmpty();

    store.credentialsDown = false;
    clock.advance(Duration.ofSeconds(1));
    activator.tick().block(Duration.ofSeconds(30));
    assertThat(runtime.plans.values())
        .singleElement()
        .extracting(InstancePlan::hfToken)
        .isEqualTo(TOKEN);
  }
}
