package io.zeroscale.activator.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The allowlist and the user switch, as pure functions of the settings and a host environment. */
class InstanceIsolationTest {

  private static final Path HOME = Path.of("/var/lib/zs/instances/i-1");

  /** What an activator's environment may hold: secrets next to what an engine needs. */
  private static final Map<String, String> HOST =
      Map.ofEntries(
          Map.entry("PATH", "/usr/bin:/bin"),
          Map.entry("LANG", "C.UTF-8"),
          Map.entry("LC_ALL", "C.UTF-8"),
          Map.entry("TZ", "UTC"),
          Map.entry("HOME", "/root"),
          Map.entry("TMPDIR", "/tmp/activator"),
          Map.entry("USER", "root"),
          Map.entry("ZEROSCALE_ADMIN_KEY", "admin-secret-admin-secret-admin-secret"),
          Map.entry("ZEROSCALE_POSTGRES_URL", "r2dbc:postgresql://u:pw@db/zs"),
          Map.entry("SPRING_DATA_REDIS_PASSWORD", "redis-pw"),
          Map.entry("HF_TOKEN", "hf_platform"),
          Map.entry("HF_HOME", "/models/cache"),
          Map.entry("CUDA_VISIBLE_DEVICES", "0,1"),
          Map.entry("CUDA_HOME", "/usr/local/cuda"),
          Map.entry("VLLM_API_KEY", "inherited-key"),
          Map.entry("HUGGING_FACE_HUB_TOKEN", "hf_platform_legacy"),
          Map.entry("HF_TOKEN_PATH", "/root/.cache/huggingface/token"),
          Map.entry("HF_HUB_OFFLINE", "1"),
          Map.entry("CUDA_TOKEN", "not-really-cuda"));

  private static final Path HF = HOME.resolve("hf");

  @Test
  void byDefaultAnInstanceGetsTheBaseListItsHomeAndItsKeyOnly() {
    var isolation = new InstanceIsolation(List.of(), HOST, null);

    Map<String, String> env = isolation.environment(HOME, "zse_k", null);

    assertThat(env)
        .containsOnly(
            Map.entry("PATH", "/usr/bin:/bin"),
            Map.entry("LANG", "C.UTF-8"),
            Map.entry("LC_ALL", "C.UTF-8"),
            Map.entry("TZ", "UTC"),
            Map.entry("HOME", HOME.toString()),
            Map.entry("TMPDIR", HOME.resolve("tmp").toString()),
            Map.entry("HF_HOME", HF.toString()),
            Map.entry("VLLM_API_KEY", "zse_k"));
  }

  @Test
  void theOperatorListsNamesAndPrefixes() {
    var isolation = new InstanceIsolation(List.of("CUDA_*", "HF_HOME"), HOST, null);

    Map<String, String> env = isolation.environment(HOME, "zse_k", null);

    assertThat(env)
        .containsEntry("CUDA_VISIBLE_DEVICES", "0,1")
        .containsEntry("CUDA_HOME", "/usr/local/cuda")
        .containsEntry("HF_HOME", "/models/cache")
        .doesNotContainKeys(
            "HF_TOKEN",
            "ZEROSCALE_ADMIN_KEY",
            "ZEROSCALE_POSTGRES_URL",
            "USER",
            "SPRING_DATA_REDIS_PASSWORD");
  }

  @Test
  void thePlansTokenRuleWinsAndHfTokenCannotBeListed() {
    assertThat(new InstanceIsolation(List.of("HF_*"), HOST, null).environment(HOME, "k", null))
        .as("a prefix does not let the platform's token through")
        .doesNotContainKey("HF_TOKEN");
    assertThatThrownBy(() -> new InstanceIsolation(List.of("HF_TOKEN"), HOST, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zeroscale.runtime.process.pass-env")
        .hasMessageContaining("'HF_TOKEN'");
    var isolation = new InstanceIsolation(List.of(), HOST, null);
    assertThat(isolation.environment(HOME, "k", "hf_tenant"))
        .containsEntry("HF_TOKEN", "hf_tenant");
    assertThat(isolation.environment(HOME, "k", null, false))
        .as("neither the tenant's token nor the platform's allowed: none")
        .doesNotContainKey("HF_TOKEN");
  }

  @Test
  void secretLookingNamesPassOnlyWhenNamedExactly() {
    Map<String, String> env =
        new InstanceIsolation(List.of("HF_*", "HUGGING*", "CUDA_*"), HOST, null)
            .environment(HOME, "k", null);
    assertThat(env)
        .containsEntry("HF_HUB_OFFLINE", "1")
        .containsEntry("CUDA_HOME", "/usr/local/cuda")
        .doesNotContainKeys("HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "CUDA_TOKEN", "HF_TOKEN");
    assertThat(new InstanceIsolation(List.of(), HOST, null).environment(HOME, "k", null, true))
        .doesNotContainKeys("HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH");

    Map<String, String> named =
        new InstanceIsolation(
                List.of("HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "SPRING_DATA_REDIS_PASSWORD"),
                HOST,
                null)
            .environment(HOME, "k", null);
    assertThat(named)
        .as("the operator names them on purpose")
        .containsEntry("HUGGING_FACE_HUB_TOKEN", "hf_platform_legacy")
        .containsEntry("HF_TOKEN_PATH", "/root/.cache/huggingface/token")
        .containsEntry("SPRING_DATA_REDIS_PASSWORD", "redis-pw");
  }

  @Test
  void patternsThatCouldMatchAReservedOrSecretNameAreRefused() {
    for (String pattern :
        List.of(
            "Z*",
            "ZEROSCALE_*",
            "ZEROSCALE_ADMIN*",
            "S*",
            "SP*",
            "SPR*",
            "SPRING_*",
            "SPRING_DATA*",
            "J*",
            "JAVA_*",
            "JAVA_TOOL*",
            "JDK_*",
            "_*",
            "_JAVA*",
            "AWS_SECRET*",
            "MY_TOKEN*",
            "DB_PASSWORD*",
            "API_KEY*",
            "GCP_CREDENTIALS*",
            "HF_TOK*",
            "AWS_SECRET_*",
            "MY_K*",
            "PASS*",
            "z*",
            "spring_*")) {
      assertThatThrownBy(() -> new InstanceIsolation(List.of(pattern), HOST, null))
          .as(pattern)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("zeroscale.runtime.process.pass-env")
          .hasMessageContaining("'" + pattern + "'");
    }
    for (String allowed :
        List.of("CUDA_*", "NCCL_*", "HF_*", "HUGGING*", "LD_LIBRARY_PATH", "OMP_*", "VLLM_*")) {
      assertThat(new InstanceIsolation(List.of(allowed), HOST, null).passEnv())
          .containsExactly(allowed);
    }
  }

  @Test
  void exactNamesAreAllowedButZeroscaleOnesAreAlwaysRefused() {
    assertThat(
            new InstanceIsolation(
                    List.of("AWS_SECRET_ACCESS_KEY", "JAVA_TOOL_OPTIONS", "SPRING_PROFILES_ACTIVE"),
                    HOST,
                    null)
                .passEnv())
        .hasSize(3);
    for (String name : List.of("ZEROSCALE_ADMIN_KEY", "ZEROSCALE_POSTGRES_URL", "ZEROSCALE_X")) {
      assertThatThrownBy(() -> new InstanceIsolation(List.of(name), HOST, null))
          .as(name)
          .hasMessageContaining("zeroscale.runtime.process.pass-env")
          .hasMessageContaining("'" + name + "'")
          .hasMessageContaining("ZEROSCALE_");
    }
  }

  @Test
  void hfHomeIsPerInstanceUnlessPassedByName() {
    assertThat(new InstanceIsolation(List.of(), HOST, null).environment(HOME, "k", null))
        .containsEntry("HF_HOME", HF.toString());
    assertThat(new InstanceIsolation(List.of("HF_*"), HOST, null).environment(HOME, "k", null))
        .as("a prefix does not share the server's cache")
        .containsEntry("HF_HOME", HF.toString());
    assertThat(new InstanceIsolation(List.of("HF_HOME"), HOST, null).environment(HOME, "k", null))
        .as("named: the server's cache, shared")
        .containsEntry("HF_HOME", "/models/cache");
    assertThat(
            new InstanceIsolation(List.of("HF_HOME"), Map.of("PATH", "/bin"), null)
                .environment(HOME, "k", null))
        .as("named but unset on the server: its own")
        .containsEntry("HF_HOME", HF.toString());
  }

  @Test
  void thePlatformTokenPassesToAPlanThatAllowsItAndOnlyThen() {
    var isolation = new InstanceIsolation(List.of(), HOST, null);
    assertThat(isolation.environment(HOME, "k", null, true))
        .containsEntry("HF_TOKEN", "hf_platform");
    assertThat(isolation.environment(HOME, "k", null, false)).doesNotContainKey("HF_TOKEN");
    assertThat(
            new InstanceIsolation(List.of(), Map.of("PATH", "/bin"), null)
                .environment(HOME, "k", null, true))
        .as("a server without a token has none to give")
        .doesNotContainKey("HF_TOKEN");
  }

  @Test
  void theRuntimesOwnVariablesCannotBeOverriddenOrInherited() {
    var isolation =
        new InstanceIsolation(List.of("HOME", "TMPDIR", "VLLM_API_KEY", "VLLM_*"), HOST, null);

    Map<String, String> keyed = isolation.environment(HOME, "zse_k", null);
    assertThat(keyed)
        .containsEntry("HOME", HOME.toString())
        .containsEntry("TMPDIR", HOME.resolve("tmp").toString())
        .containsEntry("VLLM_API_KEY", "zse_k");
    assertThat(isolation.environment(HOME, null, null))
        .as("an open engine does not inherit the activator's key")
        .doesNotContainKey("VLLM_API_KEY");
  }

  @Test
  void passEnvNamesAreValidated() {
    assertThatThrownBy(() -> new InstanceIsolation(List.of("A=B"), HOST, null))
        .hasMessageContaining("zeroscale.runtime.process.pass-env")
        .hasMessageContaining("'A=B'");
    assertThatThrownBy(() -> new InstanceIsolation(List.of("*"), HOST, null))
        .hasMessageContaining("'*'");
    assertThatThrownBy(() -> new InstanceIsolation(List.of("CU*DA"), HOST, null))
        .hasMessageContaining("'CU*DA'");
  }

  @Test
  void anotherUserRunsBehindSetprivWithoutNewPrivileges() {
    var isolation =
        new InstanceIsolation(List.of(), HOST, new InstanceIsolation.RunAs("zs-engine", 990, 980));

    assertThat(isolation.wrap(List.of("java", "-jar", "engine-sim.jar")))
        .containsExactly(
            "setpriv",
            "--reuid=990",
            "--regid=980",
            "--init-groups",
            "--no-new-privs",
            "--",
            "java",
            "-jar",
            "engine-sim.jar");
    assertThat(isolation.stateDirPermissions()).isEqualTo("rwx--x--x");
    var self = new InstanceIsolation(List.of(), HOST, null);
    assertThat(self.wrap(List.of("java"))).containsExactly("java");
    assertThat(self.stateDirPermissions()).isEqualTo("rwx------");
  }

  @Test
  void aRunAsUserThatCannotWorkFailsAtStartUpNamingTheSetting() {
    assertThatThrownBy(() -> InstanceIsolation.RunAs.resolve("no-such-user-zs-4711"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("zeroscale.runtime.process.run-as-user=no-such-user-zs-4711")
        .hasMessageMatching("(?s).*(no such user|needs the activator to run as root).*");
    assertThatThrownBy(() -> InstanceIsolation.RunAs.resolve("--help"))
        .hasMessageContaining("not a user name");
  }
}
