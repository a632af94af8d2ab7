package io.zeroscale.gateway.deployment;

import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.model.ModelRequests;
import io.zeroscale.gateway.model.ModelService;
import io.zeroscale.gateway.model.Names;
import io.zeroscale.gateway.model.hub.HfSource;
import io.zeroscale.gateway.model.s3.S3Source;
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
  static final List<String> FIXED = List.of("model_name", "family");

  /** What a new revision may change (issue #19), in the order revisions list them. */
  static final List<String> REVISION_FIELDS =
      List.of("model", "gpu", "num_gpus", "max_batch_size", "engine");

  static final Set<String> CREATE_FIELDS;
  static final Set<String> PATCH_FIELDS;

  /** DeepInfra's top-level {@code hf}: an alias of {@code model.hf}, on create only. */
  static final String TOP_LEVEL_HF = "hf";

  static {
    Set<String> fields = new LinkedHashSet<>(FIXED);
    fields.addAll(REVISION_FIELDS);
    fields.add("settings");
    PATCH_FIELDS = Set.copyOf(fields);
    fields.add(TOP_LEVEL_HF);
    CREATE_FIELDS = Set.copyOf(fields);
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
    String gpu = gpu(body.requiredString("gpu"), catalog);
    int numGpus = numGpus(body).orElse(DEFAULT_NUM_GPUS);
    int maxBatch = maxBatchSize(body).orElse(DEFAULT_MAX_BATCH_SIZE);
    EngineRules.Requested engine = EngineRules.read(body, EngineOptions.NONE);
    ScalingSettings settings =
        body.optionalObject("settings")
            .map(s -> SettingsRules.merge(SettingsRules.defaults(), s))
            .orElseGet(SettingsRules::defaults);
    return new CreateRequest(modelName, ref, family, gpu, numGpus, maxBatch, settings, engine);
  }

  /** {@code num_gpus} when given: 1, 2, 4 or 8, else a 422. */
  private static Optional<Integer> numGpus(JsonBody body) {
    Optional<Integer> n = body.optionalInt("num_gpus");
    if (n.isPresent() && !HardwareCatalog.isValidNumGpus(n.get())) {
      throw body.invalid(
          "num_gpus",
          "'num_gpus' must be one of "
              + HardwareCatalog.NUM_GPUS_OPTIONS
              + " (tensor parallel size), got "
              + n.get()
              + ".");
    }
    return n;
  }

  /** {@code max_batch_size} when given: 1 to {@value #MAX_BATCH_SIZE_LIMIT}, else a 422. */
  private static Optional<Integer> maxBatchSize(JsonBody body) {
    Optional<Integer> n = body.optionalInt("max_batch_size");
    if (n.isPresent() && (n.get() < 1 || n.get() > MAX_BATCH_SIZE_LIMIT)) {
      throw body.invalid(
          "max_batch_size",
          "'max_batch_size' must be between 1 and "
              + MAX_BATCH_SIZE_LIMIT
              + ", got "
              + n.get()
              + ".");
    }
    return n;
  }

  /**
   * A validated {@code PATCH} (or {@code PUT}) body over the current deployment: what each field
   * becomes (the current value where the body is silent). Changing {@code model}, {@code gpu},
   * {@code num_gpus}, {@code max_batch_size} or {@code engine} makes a new revision (the service
   * compares); {@code model_name} and {@code family} are fixed.
   *
   * @param model a model other than the current one, or null to keep it (absent, or the current
   *     model's id or library name)
   * @param gpu the catalog name
   * @param engine the engine options asked for, with a draft model still to resolve
   * @param settings the settings merged over the current ones
   */
  public record PatchRequest(
      ModelRef model,
      String gpu,
      int numGpus,
      int maxBatchSize,
      EngineRules.Requested engine,
      ScalingSettings settings) {}

  /**
   * Reads a PATCH body.
   *
   * @param model the raw {@code model} value, null when absent
   */
  public static PatchRequest patch(
      JsonBody body, JsonNode model, Deployment current, HardwareCatalog catalog) {
    body.allowOnly(PATCH_FIELDS);
    checkFixed(body, current);
    ModelRef ref = body.has("model") && !sameModel(model, current) ? modelRef(body, model) : null;
    String gpu = body.has("gpu") ? gpu(body.requiredString("gpu"), catalog) : current.gpu();
    int numGpus = numGpus(body).orElse(current.numGpus());
    int maxBatch = maxBatchSize(body).orElse(current.maxBatchSize());
    EngineRules.Requested engine = EngineRules.read(body, current.engine());
    ScalingSettings settings =
        body.optionalObject("settings")
            .map(s -> SettingsRules.merge(current.settings(), s))
            .orElse(current.settings());
    return new PatchRequest(ref, gpu, numGpus, maxBatch, engine, settings);
  }

  /**
   * The model a PATCH names, when it may name another one than the current (read before the
   * deployment is, so that a hub lookup runs outside the transaction); null when absent.
   */
  public static ModelRef patchModel(JsonBody body, JsonNode model) {
    return body.has("model") ? modelRef(body, model) : null;
  }

  /**
   * The catalog name a requested {@code gpu} stands for: the name itself, any case of it, or an
   * alias ({@code h100} → {@code H100-80GB}); unknown or ambiguous is a 422 naming {@code gpu}.
   */
  static String gpu(String requested, HardwareCatalog catalog) {
    String name = InputBounds.echo(requested);
    return switch (catalog.resolve(requested)) {
      case HardwareCatalog.Resolved.Found f -> f.gpu().name();
      case HardwareCatalog.Resolved.Unknown u ->
          throw gpuRefused(
              "Unknown GPU type '"
                  + name
                  + "'. Known GPU types: "
                  + catalog.names()
                  + " (or their aliases, see GET /api/v1/hardware).",
              "unknown_gpu");
      case HardwareCatalog.Resolved.Ambiguous a ->
          throw gpuRefused(
              "GPU alias '"
                  + name
                  + "' is ambiguous: it names "
                  + a.candidates()
                  + ". Use one of these names.",
              "ambiguous_gpu");
    };
  }

  private static ZeroscaleException gpuRefused(String message, String code) {
    return new Violation("gpu", message, code).toException();
  }

  private static ModelRef modelRef(JsonBody body, JsonNode model) {
    if (body.has(TOP_LEVEL_HF)) {
      if (body.has("model")) {
        throw body.invalid(
            TOP_LEVEL_HF,
            "Give the Hugging Face source once: either 'model': {\"hf\": {...}} or a top-level"
                + " 'hf' (an alias of 'model.hf'), not both.");
      }
      return hubRef(
          body.optionalObject(TOP_LEVEL_HF)
              .orElseThrow(
                  () ->
                      body.invalid(
                          TOP_LEVEL_HF,
                          "'hf' must be an object {\"repo\": \"owner/name\", \"revision\":"
                              + " \"main\"}.")),
          true);
    }
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
      if (S3Source.isS3(ref)) {
        // Its endpoint and credentials have no place here: the library import takes them.
        throw body.invalid(
            "model",
            "An s3:// model goes in an object, with its endpoint and credentials:"
                + " {\"s3\": {\"source\": \"s3://bucket/prefix\", \"endpoint\": ...,"
                + " \"s3_credentials\": {...}}}, or is imported first (POST /api/v1/models)"
                + " and deployed by its name.");
      }
      // Library names and ids have no '/': a bare owner/name (or hf://…) is a hub source.
      if (ref.contains("/")) {
        try {
          return new ModelRef.Hub(HfSource.parseOrBare(ref), null);
        } catch (IllegalArgumentException e) {
          throw body.invalid("model", e.getMessage());
        }
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
    m.allowOnly(Set.of("hf", "s3"));
    if (m.has("s3")) {
      if (m.has("hf")) {
        throw m.invalid("s3", "Give one source: 'model.hf' or 'model.s3', not both.");
      }
      JsonBody s3 =
          m.optionalObject("s3")
              .orElseThrow(
                  () ->
                      m.invalid(
                          "s3",
                          "'model.s3' must be an object {\"source\": \"s3://bucket/prefix\","
                              + " \"endpoint\": ..., \"s3_credentials\": {...}}."));
      s3.allowOnly(Set.of("source", "endpoint", "s3_credentials"));
      ModelService.S3Import i = ModelRequests.s3Import(s3, s3.requiredString("source"));
      return new ModelRef.S3(i.source(), i.access());
    }
    return hubRef(
        m.optionalObject("hf")
            .orElseThrow(() -> m.invalid("hf", "'model.hf' is required in an object 'model'.")),
        false);
  }

  /**
   * {@code model.hf} (or its top-level alias {@code hf}, which also takes DeepInfra's {@code token}
   * for {@code hf_token}): repo, revision, hf_token.
   */
  private static ModelRef hubRef(JsonBody hf, boolean topLevel) {
    // DeepInfra's top-level hf names the token 'token': an alias of 'hf_token' there.
    hf.allowOnly(
        topLevel
            ? Set.of("repo", "revision", "hf_token", "token")
            : Set.of("repo", "revision", "hf_token"));
    if (topLevel && hf.has("token") && hf.has("hf_token")) {
      throw hf.invalid("token", "Give the token once: 'hf_token' or its alias 'token'.");
    }
    String repo = hf.requiredString("repo");
    String revision = hf.optionalString("revision").orElse(HfSource.DEFAULT_REVISION);
    String token = ModelRequests.hfToken(hf, topLevel && hf.has("token") ? "token" : "hf_token");
    try {
      return new ModelRef.Hub(new HfSource(repo, revision), token);
    } catch (IllegalArgumentException e) {
      String field =
          hf.has("revision") && e.getMessage().startsWith("revision") ? "revision" : "repo";
      throw hf.invalid(field, e.getMessage());
    }
  }

  /**
   * Refuses a PATCH that changes a fixed field ({@code model_name}, {@code family}); the same value
   * as now is accepted (so that a client may send back what it read).
   */
  public static void checkFixed(JsonBody body, Deployment current) {
    Optional<String> changed = Optional.empty();
    if (body.has("model_name")
        && !current.modelName().equals(body.optionalString("model_name").orElse(null))) {
      changed = Optional.of("model_name");
    } else if (body.has("family")
        && ModelRequests.family(body, "family").orElse(null) != current.family()) {
      changed = Optional.of("family");
    }
    changed.ifPresent(
        f -> {
          throw new Violation(
                  f,
                  "'"
                      + f
                      + "' is fixed for a deployment; create a new deployment to change it."
                      + " 'model', 'gpu', 'num_gpus', 'max_batch_size' and 'engine' change by a"
                      + " new revision, 'settings' live.",
                  "immutable_field")
              .toException();
        });
  }

  static boolean sameModel(JsonNode model, Deployment current) {
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
