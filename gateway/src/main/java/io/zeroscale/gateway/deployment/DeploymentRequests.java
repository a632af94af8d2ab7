package io.zeroscale.gateway.deployment;

import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.model.ModelRequests;
import io.zeroscale.gateway.model.Names;
import io.zeroscale.gateway.model.hub.HfSource;
import io.zeroscale.gateway.web.InputBounds;
import io.zeroscale.gateway.web.JsonBody;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Reads the deployment API's bodies (SPEC §3); each problem is a 422 naming its field. Defaults
 * where the request is silent: {@code num_gpus} 1, {@code max_batch_size} 64, settings as {@link
 * SettingsRules#defaults()}, family the model's.
 */
public final class DeploymentRequests {

  public static final int DEFAULT_NUM_GPUS = 1;
  public static final int DEFAULT_MAX_BATCH_SIZE = 64;
  static final int MAX_BATCH_SIZE_LIMIT = 1024;

  /** Fixed for a deployment's life: changing one means a new deployment. */
  static final List<String> FIXED =
      List.of("model_name", "model", "family", "gpu", "num_gpus", "max_batch_size");

  static final Set<String> CREATE_FIELDS;
  static final Set<String> PATCH_FIELDS;

  static {
    Set<String> create = new LinkedHashSet<>(FIXED);
    create.add("settings");
    CREATE_FIELDS = Set.copyOf(create);
    PATCH_FIELDS = CREATE_FIELDS;
  }

  private DeploymentRequests() {}

  /**
   * @param body the parsed body
   * @param model the raw {@code model} value (string or object), null when absent
   */
  public static CreateRequest create(JsonBody body, JsonNode model, HardwareCatalog catalog) {
    body.allowOnly(CREATE_FIELDS);
    String modelName = body.requiredString("model_name");
    Names.problem("model_name", modelName).ifPresent(p -> fail(body, "model_name", p));
    ModelRef ref = modelRef(body, model);
    Family family = ModelRequests.family(body, "family").orElse(null);
    String gpu = body.requiredString("gpu");
    if (catalog.find(gpu).isEmpty()) {
      throw new Violation(
              "gpu",
              "Unknown GPU type '"
                  + InputBounds.echo(gpu)
                  + "'. Known GPU types: "
                  + catalog.names()
                  + ".",
              "unknown_gpu")
          .toException();
    }
    int numGpus = body.optionalInt("num_gpus").orElse(DEFAULT_NUM_GPUS);
    if (!HardwareCatalog.isValidNumGpus(numGpus)) {
      throw body.invalid(
          "num_gpus",
          "'num_gpus' must be one of "
              + HardwareCatalog.NUM_GPUS_OPTIONS
              + " (tensor parallel size), got "
              + numGpus
              + ".");
    }
    int maxBatch = body.optionalInt("max_batch_size").orElse(DEFAULT_MAX_BATCH_SIZE);
    if (maxBatch < 1 || maxBatch > MAX_BATCH_SIZE_LIMIT) {
      throw body.invalid(
          "max_batch_size",
          "'max_batch_size' must be between 1 and "
              + MAX_BATCH_SIZE_LIMIT
              + ", got "
              + maxBatch
              + ".");
    }
    ScalingSettings settings =
        body.optionalObject("settings")
            .map(s -> SettingsRules.merge(SettingsRules.defaults(), s))
            .orElseGet(SettingsRules::defaults);
    return new CreateRequest(modelName, ref, family, gpu, numGpus, maxBatch, settings);
  }

  private static ModelRef modelRef(JsonBody body, JsonNode model) {
    if (model == null || model.isNull()) {
      throw body.invalid(
          "model",
          "'model' is required: a library model's id or name, or {\"hf\": {\"repo\":"
              + " \"owner/name\", \"revision\": \"main\"}}.");
    }
    if (model.isString()) {
      String ref = model.stringValue();
      if (ref.isBlank()) {
        throw body.invalid("model", "'model' must not be empty.");
      }
      return new ModelRef.Library(ref);
    }
    if (!model.isObject()) {
      throw body.invalid(
          "model",
          "'model' must be a library model's id or name, or {\"hf\": {\"repo\": ...}}, got "
              + InputBounds.echo(model.toString())
              + ".");
    }
    JsonBody m = body.optionalObject("model").orElseThrow();
    m.allowOnly(Set.of("hf"));
    JsonBody hf =
        m.optionalObject("hf")
            .orElseThrow(() -> m.invalid("hf", "'model.hf' is required in an object 'model'."));
    hf.allowOnly(Set.of("repo", "revision", "hf_token"));
    String repo = hf.requiredString("repo");
    String revision = hf.optionalString("revision").orElse(HfSource.DEFAULT_REVISION);
    String token = ModelRequests.hfToken(hf, "hf_token");
    try {
      return new ModelRef.Hub(new HfSource(repo, revision), token);
    } catch (IllegalArgumentException e) {
      String field =
          hf.has("revision") && e.getMessage().startsWith("revision") ? "revision" : "repo";
      throw hf.invalid(field, e.getMessage());
    }
  }

  /**
   * Refuses a PATCH that changes a fixed field; the same value as now is accepted (so that a client
   * may send back what it read).
   */
  public static void checkFixed(JsonBody body, JsonNode model, Deployment current) {
    Optional<String> changed = Optional.empty();
    if (body.has("model_name")
        && !current.modelName().equals(body.optionalString("model_name").orElse(null))) {
      changed = Optional.of("model_name");
    } else if (body.has("model") && !sameModel(model, current)) {
      changed = Optional.of("model");
    } else if (body.has("family")
        && ModelRequests.family(body, "family").orElse(null) != current.family()) {
      changed = Optional.of("family");
    } else if (body.has("gpu") && !current.gpu().equals(body.optionalString("gpu").orElse(null))) {
      changed = Optional.of("gpu");
    } else if (body.has("num_gpus")
        && body.optionalInt("num_gpus").orElse(-1) != current.numGpus()) {
      changed = Optional.of("num_gpus");
    } else if (body.has("max_batch_size")
        && body.optionalInt("max_batch_size").orElse(-1) != current.maxBatchSize()) {
      changed = Optional.of("max_batch_size");
    }
    changed.ifPresent(
        f -> {
          throw new Violation(
                  f,
                  "'"
                      + f
                      + "' is fixed for a deployment; create a new deployment to change it. Only"
                      + " 'settings' can be changed.",
                  "immutable_field")
              .toException();
        });
  }

  private static boolean sameModel(JsonNode model, Deployment current) {
    if (model == null || !model.isString()) {
      return false;
    }
    String ref = model.stringValue();
    return ref.equals(current.modelId().toString()) || ref.equals(current.modelLibraryName());
  }

  private static void fail(JsonBody body, String field, String problem) {
    ZeroscaleException e = body.invalid(field, problem);
    throw e;
  }
}
