package io.zeroscale.gateway.hardware;

import io.zeroscale.gateway.model.Model;
import io.zeroscale.gateway.web.ApiObjects;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON of {@code GET /api/v1/hardware[?model=]}, built without any I/O. */
public final class HardwareView {

  private HardwareView() {}

  /** The catalog alone. */
  public static Map<String, Object> catalog(HardwareCatalog catalog) {
    List<Map<String, Object>> data = new ArrayList<>();
    for (GpuType g : catalog.gpus()) {
      data.add(gpu(g));
    }
    return ApiObjects.list(data);
  }

  /** The catalog with, per GPU type, whether and on how many GPUs {@code model} fits. */
  public static Map<String, Object> forModel(HardwareCatalog catalog, Model model) {
    List<Map<String, Object>> data = new ArrayList<>();
    for (GpuType g : catalog.gpus()) {
      Map<String, Object> row = gpu(g);
      FitAnswer fit = fit(g, model);
      row.put("fits", fit.fits());
      row.put("min_gpus", fit.minGpus());
      row.put("note", fit.note());
      data.add(row);
    }
    Map<String, Object> out = ApiObjects.list(data);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", model.id().toString());
    m.put("name", model.name());
    m.put("status", model.status().wire());
    m.put("weight_bytes", model.weightBytes());
    out.put("model", m);
    return out;
  }

  /** Known only for a model whose size the hub told; otherwise null with the reason. */
  public static FitAnswer fit(GpuType gpu, Model model) {
    return switch (model.status()) {
      case READY ->
          model.weightBytes() == null
              ? FitAnswer.unknown("The model's size is unknown.")
              : FitAnswer.forWeights(gpu, model.weightBytes());
      case UNVERIFIED ->
          FitAnswer.unknown(
              "The model is unverified: the hub could not be reached when it was imported, so"
                  + " its size is unknown and its fit is not checked.");
      case FAILED ->
          FitAnswer.unknown(
              "The model's import failed"
                  + (model.error() == null ? "" : ": " + model.error())
                  + " It cannot be deployed.");
      case IMPORTING -> FitAnswer.unknown("The model is still importing; ask again shortly.");
    };
  }

  private static Map<String, Object> gpu(GpuType g) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("object", "gpu");
    row.put("gpu", g.name());
    row.put("aliases", g.aliases());
    row.put("memory_gb", g.memoryGb());
    row.put("usd_per_gpu_hour", g.displayPrice());
    row.put("num_gpus_options", HardwareCatalog.NUM_GPUS_OPTIONS);
    return row;
  }
}
