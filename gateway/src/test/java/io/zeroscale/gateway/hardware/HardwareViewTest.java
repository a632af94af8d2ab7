package io.zeroscale.gateway.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.Family;
import io.zeroscale.gateway.model.Model;
import io.zeroscale.gateway.model.ModelStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HardwareViewTest {

  static final long LLAMA_7B = 13_476_839_424L;
  static final long LLAMA_70B = 137_953_316_864L;
  private final HardwareCatalog catalog = HardwareCatalog.defaults();

  static Model model(ModelStatus status, Long weightBytes, String error) {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    return new Model(
        UUID.randomUUID(),
        UUID.randomUUID(),
        "m",
        "hf://o/m@main",
        "o/m",
        "main",
        Family.LLM,
        status,
        error,
        null,
        null,
        null,
        weightBytes,
        null,
        false,
        t,
        t,
        null,
        false);
  }

  @ParameterizedTest(name = "{0} bytes on {1}: min {2}")
  @CsvSource({
    "13476839424, L40S-48GB, 1",
    "13476839424, A100-80GB, 1",
    "137953316864, A100-80GB, 4",
    "137953316864, H100-80GB, 4",
    "137953316864, H200-141GB, 2",
    "137953316864, L40S-48GB, 4",
  })
  void readyModelsGetTheSmallestGpuCountThatFits(long bytes, String gpu, int min) {
    FitAnswer a =
        HardwareView.fit(catalog.find(gpu).orElseThrow(), model(ModelStatus.READY, bytes, null));
    assertThat(a).isEqualTo(new FitAnswer(true, min, null));
  }

  @Test
  void aModelTooLargeForEightGpusDoesNotFit() {
    // 700 GB × 1.2 = 840 GB > 8 × 80 GB = 640 GB.
    FitAnswer a =
        HardwareView.fit(
            catalog.find("A100-80GB").orElseThrow(),
            model(ModelStatus.READY, 700_000_000_000L, null));
    assertThat(a).isEqualTo(new FitAnswer(false, null, null));
  }

  @Test
  void unknownSizesAnswerNullWithANote() {
    GpuType a100 = catalog.find("A100-80GB").orElseThrow();
    assertThat(HardwareView.fit(a100, model(ModelStatus.UNVERIFIED, null, null)))
        .satisfies(
            a -> {
              assertThat(a.fits()).isNull();
              assertThat(a.minGpus()).isNull();
              assertThat(a.note()).contains("unverified", "not checked");
            });
    assertThat(HardwareView.fit(a100, model(ModelStatus.FAILED, null, "repo not found")).note())
        .contains("failed", "repo not found");
    assertThat(HardwareView.fit(a100, model(ModelStatus.IMPORTING, null, null)).note())
        .contains("still importing");
  }

  @Test
  @SuppressWarnings("unchecked")
  void jsonShapes() {
    Map<String, Object> plain = HardwareView.catalog(catalog);
    assertThat(plain).containsEntry("object", "list");
    List<Map<String, Object>> data = (List<Map<String, Object>>) plain.get("data");
    assertThat(data).hasSize(4);
    assertThat(data.get(1))
        .containsOnlyKeys(
            "object", "gpu", "aliases", "memory_gb", "usd_per_gpu_hour", "num_gpus_options")
        .containsEntry("gpu", "A100-80GB")
        .containsEntry("aliases", List.of("a100"))
        .containsEntry("memory_gb", 80)
        .containsEntry("usd_per_gpu_hour", new BigDecimal("2.00"))
        .containsEntry("num_gpus_options", List.of(1, 2, 4, 8));

    Model m = model(ModelStatus.READY, LLAMA_70B, null);
    Map<String, Object> withModel = HardwareView.forModel(catalog, m);
    List<Map<String, Object>> rows = (List<Map<String, Object>>) withModel.get("data");
    assertThat(rows.get(1))
        .containsEntry("fits", true)
        .containsEntry("min_gpus", 4)
        .containsEntry("note", null);
    assertThat((Map<String, Object>) withModel.get("model"))
        .containsEntry("id", m.id().toString())
        .containsEntry("weight_bytes", LLAMA_70B)
        .containsEntry("status", "ready");
  }
}
