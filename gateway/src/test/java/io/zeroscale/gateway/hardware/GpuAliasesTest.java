package io.zeroscale.gateway.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.gateway.hardware.HardwareProperties.Gpu;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue #20: GPU aliases (Together's {@code h100}) in the catalog and its listing. */
class GpuAliasesTest {

  @Test
  void theDefaultsHaveTheirShortNameAsAlias() {
    assertThat(HardwareCatalog.defaults().gpus())
        .extracting(GpuType::name, GpuType::aliases)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("L40S-48GB", List.of("l40s")),
            org.assertj.core.groups.Tuple.tuple("A100-80GB", List.of("a100")),
            org.assertj.core.groups.Tuple.tuple("H100-80GB", List.of("h100")),
            org.assertj.core.groups.Tuple.tuple("H200-141GB", List.of("h200")));
  }

  @Test
  void configuredAliasesReplaceTheDefaultOnesAndAreLowerCased() {
    HardwareCatalog c =
        new HardwareProperties(
                List.of(
                    new Gpu("B200-192GB", 192, BigDecimal.TEN, List.of("B200", "blackwell")),
                    new Gpu("TPU", 16, BigDecimal.ONE)))
            .catalog();
    assertThat(c.gpus().getFirst().aliases()).containsExactly("b200", "blackwell");
    assertThat(c.gpus().get(1).aliases()).as("no dash: the name only").isEmpty();
    assertThat(c.resolve("Blackwell"))
        .isEqualTo(new HardwareCatalog.Resolved.Found(c.gpus().getFirst()));
    assertThat(c.resolve("tpu")).isEqualTo(new HardwareCatalog.Resolved.Found(c.gpus().get(1)));
    assertThat(c.resolve("b100")).isEqualTo(new HardwareCatalog.Resolved.Unknown());
    assertThat(c.find("tpu")).as("find stays exact (stored names)").isEmpty();
    assertThatThrownBy(
            () ->
                new HardwareProperties(List.of(new Gpu("X-1", 1, BigDecimal.ONE, List.of("a b")))))
        .hasMessageContaining("gpus[0].aliases");
  }

  @Test
  void theHardwareListShowsTheAliases() {
    Map<String, Object> view = HardwareView.catalog(HardwareCatalog.defaults());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> data = (List<Map<String, Object>>) view.get("data");
    assertThat(data.get(2))
        .containsEntry("gpu", "H100-80GB")
        .containsEntry("aliases", List.of("h100"));
  }
}
