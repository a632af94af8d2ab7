package io.zeroscale.sim.config;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The vLLM engine options the simulator was started with (Zeroscale's per-deployment {@code engine}
 * allowlist): validated as vLLM validates them, otherwise only reported ({@code GET
 * /debug/engine}), except {@code --max-model-len}, which the simulator enforces. Every field is
 * null when its flag was not given (the engine's default).
 *
 * @param maxModelLen {@code --max-model-len}: context window, at least 1
 * @param gpuMemoryUtilization {@code --gpu-memory-utilization}: in (0, 1], as vLLM's {@code
 *     CacheConfig}
 * @param enablePrefixCaching {@code --enable-prefix-caching} (true) or {@code
 *     --no-enable-prefix-caching} (false); the last one given wins, as with argparse
 * @param speculative {@code --speculative-config} (JSON)
 * @param enableAutoToolChoice {@code --enable-auto-tool-choice}; vLLM refuses it without {@code
 *     --tool-call-parser}
 * @param toolCallParser {@code --tool-call-parser}: one of {@link #TOOL_CALL_PARSERS}
 * @param reasoningParser {@code --reasoning-parser}: one of {@link #REASONING_PARSERS}
 * @param dtype {@code --dtype}: one of {@link #DTYPES}
 * @param quantization {@code --quantization}: one of {@link #QUANTIZATIONS}
 */
public record EngineFlags(
    Integer maxModelLen,
    BigDecimal gpuMemoryUtilization,
    Boolean enablePrefixCaching,
    Speculative speculative,
    boolean enableAutoToolChoice,
    String toolCallParser,
    String reasoningParser,
    String dtype,
    String quantization) {

  /** vLLM's {@code --dtype} choices. */
  public static final Set<String> DTYPES =
      Set.of("auto", "half", "float16", "bfloat16", "float", "float32");

  /** vLLM's {@code --quantization} methods (its {@code QUANTIZATION_METHODS}, v0.11). */
  public static final Set<String> QUANTIZATIONS =
      Set.of(
          "awq",
          "deepspeedfp",
          "tpu_int8",
          "fp8",
          "ptpc_fp8",
          "fbgemm_fp8",
          "modelopt",
          "modelopt_fp4",
          "bitblas",
          "gguf",
          "gptq_marlin_24",
          "gptq_marlin",
          "gptq_bitblas",
          "awq_marlin",
          "gptq",
          "compressed-tensors",
          "bitsandbytes",
          "hqq",
          "experts_int8",
          "ipex",
          "quark",
          "moe_wna16",
          "torchao",
          "auto-round",
          "rtn",
          "inc",
          "mxfp4",
          "petit_nvfp4");

  /** The tool parsers registered in vLLM (v0.11). */
  public static final Set<String> TOOL_CALL_PARSERS =
      Set.of(
          "deepseek_v3",
          "deepseek_v31",
          "glm45",
          "granite",
          "granite-20b-fc",
          "hermes",
          "hunyuan_a13b",
          "internlm",
          "jamba",
          "kimi_k2",
          "llama3_json",
          "llama4_json",
          "llama4_pythonic",
          "longcat",
          "minimax",
          "mistral",
          "openai",
          "phi4_mini_json",
          "pythonic",
          "qwen3_coder",
          "qwen3_xml",
          "seed_oss",
          "step3",
          "xlam");

  /** The reasoning parsers registered in vLLM (v0.11). */
  public static final Set<String> REASONING_PARSERS =
      Set.of(
          "deepseek_r1",
          "deepseek_v3",
          "ernie45",
          "glm45",
          "granite",
          "hunyuan_a13b",
          "mistral",
          "openai_gptoss",
          "qwen3",
          "seed_oss",
          "step3");

  /** No engine flag given. */
  public static final EngineFlags NONE =
      new EngineFlags(null, null, null, null, false, null, null, null, null);

  public EngineFlags {
    require(
        maxModelLen == null || maxModelLen >= 1,
        "--max-model-len must be >= 1, got " + maxModelLen);
    require(
        gpuMemoryUtilization == null
            || (gpuMemoryUtilization.signum() > 0
                && gpuMemoryUtilization.compareTo(BigDecimal.ONE) <= 0),
        "--gpu-memory-utilization must be in (0, 1] (a share of the GPU's memory), got "
            + (gpuMemoryUtilization == null ? null : gpuMemoryUtilization.toPlainString()));
    requireChoice("--tool-call-parser", toolCallParser, TOOL_CALL_PARSERS);
    requireChoice("--reasoning-parser", reasoningParser, REASONING_PARSERS);
    requireChoice("--dtype", dtype, DTYPES);
    requireChoice("--quantization", quantization, QUANTIZATIONS);
    // vLLM's own start-up check (api_server.validate_parsed_serve_args).
    require(
        !enableAutoToolChoice || toolCallParser != null,
        "--enable-auto-tool-choice requires --tool-call-parser");
  }

  /**
   * A draft model for speculative decoding, from {@code --speculative-config}.
   *
   * @param model the draft model, {@code org/repo}
   * @param revision its revision, or null for its default branch
   * @param numSpeculativeTokens tokens proposed per step, at least 1
   */
  public record Speculative(String model, String revision, int numSpeculativeTokens) {

    public Speculative {
      Objects.requireNonNull(model, "model");
      require(
          numSpeculativeTokens >= 1,
          "num_speculative_tokens must be >= 1, got " + numSpeculativeTokens);
    }

    /** Zeroscale's source form of the draft model: {@code hf://org/repo[@revision]}. */
    public String source() {
      return "hf://" + model + (revision == null ? "" : "@" + revision);
    }
  }

  /**
   * The flags in the shape of Zeroscale's {@code EngineOptions.toMap()} (snake_case, flags not
   * given left out; {@code speculative} as {@code {"source":"hf://org/repo[@rev]",
   * "num_speculative_tokens":n}}), so that a test compares what an instance was started with to
   * what its deployment asked for. {@code enable_auto_tool_choice} appears only in the one case
   * that shape cannot tell apart: a {@code --tool-call-parser} without {@code
   * --enable-auto-tool-choice} shows {@code "enable_auto_tool_choice":false}.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    putIf(m, "max_model_len", maxModelLen);
    putIf(m, "gpu_memory_utilization", gpuMemoryUtilization);
    putIf(m, "enable_prefix_caching", enablePrefixCaching);
    if (speculative != null) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("source", speculative.source());
      s.put("num_speculative_tokens", speculative.numSpeculativeTokens());
      m.put("speculative", s);
    }
    putIf(m, "tool_call_parser", toolCallParser);
    if (toolCallParser != null && !enableAutoToolChoice) {
      m.put("enable_auto_tool_choice", false);
    }
    putIf(m, "reasoning_parser", reasoningParser);
    putIf(m, "dtype", dtype);
    putIf(m, "quantization", quantization);
    return m;
  }

  /** A copy with {@code --max-model-len} set. */
  public EngineFlags withMaxModelLen(int value) {
    return new EngineFlags(
        value,
        gpuMemoryUtilization,
        enablePrefixCaching,
        speculative,
        enableAutoToolChoice,
        toolCallParser,
        reasoningParser,
        dtype,
        quantization);
  }

  /** Mutable collector for the parser; {@link #build()} validates. */
  public static final class Builder {
    Integer maxModelLen;
    BigDecimal gpuMemoryUtilization;
    Boolean enablePrefixCaching;
    Speculative speculative;
    boolean enableAutoToolChoice;
    String toolCallParser;
    String reasoningParser;
    String dtype;
    String quantization;

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException with a message naming the offending flag
     */
    public EngineFlags build() {
      return new EngineFlags(
          maxModelLen,
          gpuMemoryUtilization,
          enablePrefixCaching,
          speculative,
          enableAutoToolChoice,
          toolCallParser,
          reasoningParser,
          dtype,
          quantization);
    }
  }

  private static void putIf(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }

  private static void requireChoice(String flag, String value, Set<String> choices) {
    if (value == null || choices.contains(value)) {
      return;
    }
    throw new IllegalArgumentException(
        flag
            + ": invalid choice '"
            + value
            + "' (choose from "
            + String.join(", ", new TreeSet<>(choices))
            + ")");
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
