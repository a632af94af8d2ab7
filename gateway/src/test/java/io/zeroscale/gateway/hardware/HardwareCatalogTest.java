package io.zeroscale.gateway.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.gateway.hardware.HardwareProperties.Gpu;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HardwareCatalogTest {

  @Test
  void defaultsAreTheSpecCatalogWithExactPrices() {
    HardwareCatalog c = HardwareCatalog.defaults();
    assertThat(c.names()).containsExactly("L40S-48GB", "A100-80GB", "H100-80GB", "H200-141GB");
    GpuType a100 = c.find("A100-80GB").orElseThrow();
    assertThat(a100.memoryGb()).isEqualTo(80);
    assertThat(a100.memoryBytes()).isEqualTo(80_000_000_000L);
    assertThat(a100.microsPerGpuHour()).isEqualTo(2_000_000L);
    assertThat(a100.displayPrice()).hasToString("2.00");
    assertThat(c.find("L40S-48GB").orElseThrow().displayPrice()).hasToString("1.20");
    assertThat(c.find("H200-141GB").orElseThrow().memoryBytes()).isEqualTo(141_000_000_000L);
    assertThat(c.find("a100-80gb")).as("names are exact").isEmpty();
    assertThat(c.find(null)).isEmpty();
  }

  @Test
  void emptyConfigurationMeansDefaultsAndAListReplacesThem() {
    assertThat(new HardwareProperties(List.of()).gpus()).isEqualTo(HardwareProperties.DEFAULTS);
    HardwareCatalog one =
        new HardwareProperties(List.of(new Gpu("B200-192GB", 192, new BigDecimal("5.5"))))
            .catalog();
    assertThat(one.names()).containsExactly("B200-192GB");
    assertThat(one.find("B200-192GB").orElseThrow().displayPrice()).hasToString("5.50");
    assertThat(one.find("B200-192GB").orElseThrow().microsPerGpuHour()).isEqualTo(5_500_000L);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "bad name!|80|2.00|gpus[0].name must be",
        "A100-80GB|0|2.00|gpus[0].memory-gb must be > 0, got 0",
        "A100-80GB|80|-1|gpus[0].usd-per-gpu-hour must be a decimal >= 0, got -1",
        "A100-80GB|80|0.0000001|more than 6 decimals",
      })
  void invalidConfigurationFailsNamingTheProperty(
      String name, int memory, String price, String message) {
    assertThatThrownBy(
            () -> new HardwareProperties(List.of(new Gpu(name, memory, new BigDecimal(price)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zeroscale.hardware.")
        .hasMessageContaining(message);
  }

  @Test
  void aNameTwiceIsRefused() {
    Gpu g = new Gpu("A100-80GB", 80, BigDecimal.TWO);
    assertThatThrownBy(() -> new HardwareProperties(List.of(g, g)))
        .hasMessageContaining("gpus[1].name 'A100-80GB' appears twice");
  }

  @Test
  void numGpusOptionsAreTensorParallelSizes() {
    assertThat(HardwareCatalog.NUM_GPUS_OPTIONS).containsExactly(1, 2, 4, 8);
    assertThat(HardwareCatalog.isValidNumGpus(4)).isTrue();
    assertThat(HardwareCatalog.isValidNumGpus(3)).isFalse();
    assertThat(HardwareCatalog.isValidNumGpus(16)).isFalse();
  }
}
