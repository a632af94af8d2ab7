package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class InfrastructureInitializerTest {

  @TempDir Path dir;

  private StandardEnvironment prepare(Map<String, Object> properties) {
    StandardEnvironment env = new StandardEnvironment();
    Map<String, Object> all = new HashMap<>(properties);
    all.put("zeroscale.home", dir.resolve("home").toString());
    // External servers: nothing embedded is started by these tests.
    all.put("zeroscale.postgres.url", "postgresql://localhost:5432/zeroscale");
    all.put("zeroscale.redis.url", "redis://localhost:6379");
    env.getPropertySources().addFirst(new MapPropertySource("test", all));
    new InfrastructureInitializer(new EmbeddedInfrastructure.Factory())
        .onApplicationEvent(
            new ApplicationEnvironmentPreparedEvent(
                new DefaultBootstrapContext(), new SpringApplication(), new String[0], env));
    return env;
  }

  @Test
  void aShortAdminKeyStopsTheStartBeforeAnythingElse() {
    assertThatThrownBy(() -> prepare(Map.of("zeroscale.admin.key", "admin-" + "x".repeat(20))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ZEROSCALE_ADMIN_KEY")
        .hasMessageContaining("at least 32 characters")
        .hasMessageContaining("got 26")
        .hasMessageNotContaining("xxxx");
    assertThat(dir.resolve("home")).as("nothing written").doesNotExist();
  }

  @Test
  void aLongEnoughAdminKeyIsKeptAndAMissingOneIsGeneratedLongEnough() {
    String chosen = "it-admin-" + "d".repeat(24);
    StandardEnvironment env = prepare(Map.of("zeroscale.admin.key", chosen));
    assertThat(env.getProperty("zeroscale.admin.key")).isEqualTo(chosen);
    assertThat(env.getProperty(InfrastructureInitializer.ADMIN_KEY_GENERATED)).isNull();

    String generated = prepare(Map.of()).getProperty("zeroscale.admin.key");
    assertThat(generated).hasSizeGreaterThanOrEqualTo(32).startsWith("zs-");
  }

  @Test
  void anExternalRedisKeepsItsOwnCredentialsAndTheHomeIsOwnerOnly() throws Exception {
    StandardEnvironment env = prepare(Map.of());
    assertThat(env.getProperty("zeroscale.redis.url")).isEqualTo("redis://localhost:6379");
    assertThat(env.getProperty(InfrastructureInitializer.REDIS_PASSWORD))
        .as("no generated password for a Redis we did not start")
        .isNull();
    assertThat(dir.resolve("home/redis-password")).doesNotExist();
    assertThat(dir.resolve("home/postgres-password")).doesNotExist();
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(dir.resolve("home"))))
        .isEqualTo("rwx------");
  }
}
