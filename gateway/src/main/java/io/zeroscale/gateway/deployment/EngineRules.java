package io.zeroscale.gateway.deployment;

import io.zeroscale.api.EngineOptions;
import io.zeroscale.gateway.web.InputBounds;
import io.zeroscale.gateway.web.JsonBody;
import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * A deployment's {@code engine} object (issue #19): the allowlisted vLLM options of {@link
 * EngineOptions}, never free-form arguments. Every problem is a 422 whose {@code param} is {@code
 * engine.<field>} and whose message names the allowed values or bounds. Merge semantics as for
 * {@code settings} ({@link SettingsRules}): an absent field keeps the base's value, {@code null}
 * resets it to the engine's default, a value replaces it; {@code "engine": null} resets them all. A
 * draft model for speculative decoding is named by the tenant ({@code {"model": <library model id
 * or name>, "num_speculative_tokens": n}}) and resolved to its pinned source by the service.
 */
public final class EngineRules {

  public static final String MAX_MODEL_LEN = "max_model_len";
  public static final String GPU_MEMORY_UTILIZATION = "gpu_memory_utilization";
  public static final String ENABLE_PREFIX_CACHING = "enable_prefix_caching";
  public static final String SPECULATIVE = "speculative";
  public static final String TOOL_CALL_PARSER = "tool_call_parser";
  public static final String REASONING_PARSER = "reasoning_parser";
  public static final String DTYPE = "dtype";
  public static final String QUANTIZATION = "quantization";

  /** The fields of {@code engine}, in the order of {@link EngineOptions}. */
  public static final List<String> FIELDS =
      List.of(
          MAX_MODEL_LEN,
          GPU_MEMORY_UTILIZATION,
          ENABLE_PREFIX_CACHING,
          SPECULATIVE,
          TOOL_CALL_PARSER,
          REASONING_PARSER,
          DTYPE,
          QUANTIZATION);

  /** {@code speculative} may also be this string: off, as {@code null}. */
  static final String OFF = "off";

  static final String DRAFT_MODEL = "model";
  static final String NUM_SPECULATIVE_TOKENS = "num_speculative_tokens";

  /** gpu_memory_utilization has at most this many decimals (0.925 yes, 0.9255 no). */
  static final int GPU_MEMORY_UTILIZATION_DECIMALS = 3;

  private EngineRules() {}

  /**
   * A draft model as the request names it, to be resolved in the tenant's library.
   *
   * @param model a library model's id or name
   * @param numSpeculativeTokens tokens proposed per step, within the {@link EngineOptions} bounds
   */
  public record DraftRef(String model, int numSpeculativeTokens) {}

  /**
   * The engine a request asks for.
   *
   * @param options the options; its {@code speculative} is the base's (kept) or null, and is
   *     replaced by the resolved {@code draft} when there is one
   * @param draft a newly named draft model, or null
   */
  public record Requested(EngineOptions options, DraftRef draft) {

    /** The options with the draft resolved to {@code source} (its pinned hf:// source). */
    public EngineOptions resolved(String source) {
      EngineOptions o = options;
      return new EngineOptions(
          o.maxModelLen(),
          o.gpuMemoryUtilization(),
          o.enablePrefixCaching(),
          new EngineOptions.Speculative(source, draft.numSpeculativeTokens()),
          o.toolCallParser(),
          o.reasoningParser(),
          o.dtype(),
          o.quantization());
    }
  }

  /**
   * The engine a body asks for over {@code base}: the base itself when the body has no {@code
   * engine}, none when it is {@code null}, else the object merged over the base.
   *
   * @throws io.zeroscale.gateway.error.ZeroscaleException 422 naming {@code engine.<field>}
   */
  public static Requested read(JsonBody body, EngineOptions base) {
    if (!body.has("engine")) {
      return new Requested(base, null);
    }
    if (body.isNull("engine")) {
      return new Requested(EngineOptions.NONE, null);
    }
    JsonBody engine = body.optionalObject("engine").orElseThrow();
    return merge(base, engine);
  }

  /** {@code engine} (param prefix {@code engine.}) merged over {@code base}. */
  public static Requested merge(EngineOptions base, JsonBody engine) {
    engine.allowOnly(new LinkedHashSet<>(FIELDS));
    Integer maxModelLen =
        field(engine, MAX_MODEL_LEN, base.maxModelLen(), f -> maxModelLen(engine, f));
    BigDecimal utilization =
        field(
            engine,
            GPU_MEMORY_UTILIZATION,
            base.gpuMemoryUtilization(),
            f -> gpuMemoryUtilization(engine, f));
    Boolean prefixCaching =
        field(
            engine,
            ENABLE_PREFIX_CACHING,
            base.enablePrefixCaching(),
            f -> engine.optionalBoolean(f).orElseThrow());
    String toolParser =
        field(
            engine,
            TOOL_CALL_PARSER,
            base.toolCallParser(),
            f -> oneOf(engine, f, EngineOptions.TOOL_CALL_PARSERS));
    String reasoningParser =
        field(
            engine,
            REASONING_PARSER,
            base.reasoningParser(),
            f -> oneOf(engine, f, EngineOptions.REASONING_PARSERS));
    String dtype = field(engine, DTYPE, base.dtype(), f -> oneOf(engine, f, EngineOptions.DTYPES));
    String quantization =
        field(
            engine,
            QUANTIZATION,
            base.quantization(),
            f -> oneOf(engine, f, EngineOptions.QUANTIZATIONS));
    EngineOptions.Speculative speculative = base.speculative();
    DraftRef draft = null;
    if (engine.has(SPECULATIVE)) {
      speculative = null;
      draft = speculative(engine);
    }
    return new Requested(
        new EngineOptions(
            maxModelLen,
            utilization,
            prefixCaching,
            speculative,
            toolParser,
            reasoningParser,
            dtype,
            quantization),
        draft);
  }

  /** The base's value when absent, null when null, else what {@code read} makes of it. */
  private static <T> T field(JsonBody engine, String f, T base, Function<String, T> read) {
    if (!engine.has(f)) {
      return base;
    }
    if (engine.isNull(f)) {
      return null;
    }
    return read.apply(f);
  }

  private static Integer maxModelLen(JsonBody engine, String f) {
    int v = engine.optionalInt(f).orElseThrow();
    if (v < EngineOptions.MAX_MODEL_LEN_MIN || v > EngineOptions.MAX_MODEL_LEN_MAX) {
      throw engine.invalid(
          f,
          "'engine."
              + f
              + "' must be between "
              + EngineOptions.MAX_MODEL_LEN_MIN
              + " and "
              + EngineOptions.MAX_MODEL_LEN_MAX
              + " tokens, got "
              + v
              + ".");
    }
    return v;
  }

  private static BigDecimal gpuMemoryUtilization(JsonBody engine, String f) {
    BigDecimal v = engine.optionalDecimal(f).orElseThrow();
    boolean inRange =
        v.compareTo(EngineOptions.GPU_MEMORY_UTILIZATION_MIN) >= 0
            && v.compareTo(EngineOptions.GPU_MEMORY_UTILIZATION_MAX) <= 0;
    if (!inRange || v.stripTrailingZeros().scale() > GPU_MEMORY_UTILIZATION_DECIMALS) {
      throw engine.invalid(
          f,
          "'engine."
              + f
              + "' must be between "
              + EngineOptions.GPU_MEMORY_UTILIZATION_MIN
              + " and "
              + EngineOptions.GPU_MEMORY_UTILIZATION_MAX
              + " with at most "
              + GPU_MEMORY_UTILIZATION_DECIMALS
              + " decimals, got "
              + v.toPlainString()
              + ".");
    }
    return plain(v);
  }

  private static String oneOf(JsonBody engine, String f, Set<String> allowed) {
    String v = engine.optionalString(f).orElseThrow();
    if (!allowed.contains(v)) {
      throw engine.invalid(
          f,
          "'engine."
              + f
              + "' must be one of "
              + new TreeSet<>(allowed)
              + ", got '"
              + InputBounds.echo(v)
              + "'.");
    }
    return v;
  }

  /** Null for off ({@code null} or {@code "off"}), else the draft the object names. */
  private static DraftRef speculative(JsonBody engine) {
    JsonNode raw = engine.raw(SPECULATIVE);
    if (raw.isNull() || (raw.isString() && OFF.equals(raw.stringValue()))) {
      return null;
    }
    if (!raw.isObject()) {
      throw engine.invalid(
          SPECULATIVE,
          "'engine.speculative' must be null, \"off\" or {\"model\": \"<library model id or"
              + " name>\", \"num_speculative_tokens\": "
              + EngineOptions.SPECULATIVE_TOKENS_MIN
              + ".."
              + EngineOptions.SPECULATIVE_TOKENS_MAX
              + "}.");
    }
    JsonBody s = engine.optionalObject(SPECULATIVE).orElseThrow();
    s.allowOnly(Set.of(DRAFT_MODEL, NUM_SPECULATIVE_TOKENS));
    String model = s.requiredString(DRAFT_MODEL);
    if (model.isBlank()) {
      throw s.invalid(DRAFT_MODEL, "'engine.speculative.model' must not be empty.");
    }
    int tokens =
        s.optionalInt(NUM_SPECULATIVE_TOKENS)
            .orElseThrow(
                () ->
                    s.invalid(
                        NUM_SPECULATIVE_TOKENS,
                        "'engine.speculative.num_speculative_tokens' is required."));
    if (tokens < EngineOptions.SPECULATIVE_TOKENS_MIN
        || tokens > EngineOptions.SPECULATIVE_TOKENS_MAX) {
      throw s.invalid(
          NUM_SPECULATIVE_TOKENS,
          "'engine.speculative.num_speculative_tokens' must be between "
              + EngineOptions.SPECULATIVE_TOKENS_MIN
              + " and "
              + EngineOptions.SPECULATIVE_TOKENS_MAX
              + ", got "
              + tokens
              + ".");
    }
    return new DraftRef(model, tokens);
  }

  /**
   * {@code o} with {@code gpu_memory_utilization} in one spelling (0.90 and 0.9 are the same
   * option, so that reading back what was stored is no change).
   */
  public static EngineOptions normalized(EngineOptions o) {
    if (o.gpuMemoryUtilization() == null) {
      return o;
    }
    return new EngineOptions(
        o.maxModelLen(),
        plain(o.gpuMemoryUtilization()),
        o.enablePrefixCaching(),
        o.speculative(),
        o.toolCallParser(),
        o.reasoningParser(),
        o.dtype(),
        o.quantization());
  }

  private static BigDecimal plain(BigDecimal v) {
    BigDecimal p = v.stripTrailingZeros();
    return p.scale() < 0 ? p.setScale(0) : p;
  }
}
