package io.zeroscale.activator.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class ProcessRuntimePropertiesTest {

  @Test
  void flagsUseTheSimulatorSpellingAndOmitUnsetValues() {
    var sim =
        new ProcessRuntimeProperties.Sim(
            Duration.ofSeconds(3),
            Duration.ofMillis(50),
            Duration.ofMillis(10),
            null,
            0.1,
            null,
            null);
    assertThat(sim.flags())
        .containsExactly(
            "--startup-duration=3000ms",
            "--time-to-first-token=50ms",
            "--inter-token-latency=10ms",
            "--failure-injection-rate=0.1");
  }

  @Test
  void crashAfterZeroIsAValidFlag() {
    var sim = new ProcessRuntimeProperties.Sim(Duration.ZERO, null, null, 5, null, 0, null);
    assertThat(sim.flags())
        .containsExactly(
            "--startup-duration=0ms", "--max-waiting-queue-length=5", "--crash-after-requests=0");
  }

  @Test
  void failBootForModelsBindsFromACommaListAndBecomesOneFlag() {
    Binder binder =
        new Binder(
            new MapConfigurationPropertySource(
                Map.of(
                    "zeroscale.runtime.process.sim.fail-boot-for-models",
                    "acme/broken-*,org/repo@v2",
                    "zeroscale.runtime.process.sim.startup-duration",
                    "1s")));

    ProcessRuntimeProperties bound =
        binder.bind("zeroscale.runtime.process", ProcessRuntimeProperties.class).get();

    assertThat(bound.sim().failBootForModels()).containsExactly("acme/broken-*", "org/repo@v2");
    assertThat(bound.sim().flags())
        .containsExactly(
            "--startup-duration=1000ms", "--fail-boot-for-models=acme/broken-*,org/repo@v2");
  }

  @Test
  void withoutFailBootForModelsNoFlagIsPassed() {
    var sim = new ProcessRuntimeProperties.Sim(null, null, null, null, null, null, null);

    assertThat(sim.failBootForModels()).isEmpty();
    assertThat(sim.flags()).noneMatch(f -> f.startsWith("--fail-boot-for-models"));
  }

  @Test
  void aBadFailBootGlobIsRefusedNamingTheProperty() {
    for (List<String> globs : List.of(List.of("a,b"), List.of(" "), List.of("ok", " padded"))) {
      assertThatThrownBy(
              () -> new ProcessRuntimeProperties.Sim(null, null, null, null, null, null, globs))
          .as(globs.toString())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("zeroscale.runtime.process.sim.fail-boot-for-models");
    }
  }

  @Test
  void rejectsBadValuesNamingTheProperty() {
    assertThatThrownBy(
            () ->
                new ProcessRuntimeProperties.Sim(
                    Duration.ofSeconds(-1), null, null, null, null, null, null))
        .hasMessageContaining("zeroscale.runtime.process.sim.startup-duration");
    assertThatThrownBy(
            () -> new ProcessRuntimeProperties.Sim(null, null, null, null, 1.5, null, null))
        .hasMessageContaining("failure-injection-rate")
        .hasMessageContaining("1.5");
    assertThatThrownBy(
            () -> new ProcessRuntimeProperties.Sim(null, null, null, null, null, -1, null))
        .hasMessageContaining("crash-after-requests");
    var sim = new ProcessRuntimeProperties.Sim(null, null, null, null, null, null, null);
    assertThatThrownBy(
            () ->
                new ProcessRuntimeProperties(
                    -1,
                    sim,
                    null,
                    List.of(),
                    "127.0.0.1",
                    null,
                    Duration.ofSeconds(30),
                    List.of(),
                    null))
        .hasMessageContaining("zeroscale.runtime.process.gpus");
  }

  @Test
  void passEnvIsCheckedAtStartUp() {
    var sim = new ProcessRuntimeProperties.Sim(null, null, null, null, null, null, null);
    for (String entry :
        List.of(
            "ZEROSCALE_*",
            "Z*",
            "S*",
            "SPR*",
            "J*",
            "AWS_SECRET*",
            "HF_TOK*",
            "ZEROSCALE_ADMIN_KEY",
            "HF_TOKEN")) {
      assertThatThrownBy(() -> properties(sim, List.of(entry)))
          .as(entry)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("zeroscale.runtime.process.pass-env")
          .hasMessageContaining("'" + entry + "'");
    }
    assertThat(
            properties(sim, List.of("CUDA_*", "HF_HOME", "HUGGING_FACE_HUB_TOKEN", "AWS_PROFILE"))
                .passEnv())
        .hasSize(4);
  }

  private static ProcessRuntimeProperties properties(
      ProcessRuntimeProperties.Sim sim, List<String> passEnv) {
    return new ProcessRuntimeProperties(
        8, sim, null, List.of(), "127.0.0.1", null, Duration.ofSeconds(30), passEnv, null);
  }
}
