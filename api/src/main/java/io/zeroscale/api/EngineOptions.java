package io.zeroscale.api;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A deployment's engine options (the tenant API's {@code engine} object): an allowlist mapped to
 * vLLM flags, never free-form arguments. Every field is optional (null: the engine's default). The
 * control plane validates values against the sets below before they get here; {@link #vllmArgs()}
 * renders them as the flags an instance starts with, which the simulator accepts and reports too.
 * {@code --max-num-seqs} is not here: it is derived from the deployment's {@code max_batch_size}.
 *
 * @param maxModelLen {@code --max-model-len}: context length, {@link #MAX_MODEL_LEN_MIN} to {@link
 *     #MAX_MODEL_LEN_MAX}
 * @param gpuMemoryUtilization {@code --gpu-memory-utilization}: share of GPU memory the engine
 *     takes, in {@code [0.1, 1.0]}
 * @param enablePrefixCaching {@code --enable-prefix-caching} when true, {@code
 *     --no-enable-prefix-caching} when false
 * @param speculative speculative decoding with a draft model, or null for off
 * @param toolCallParser {@code --enable-auto-tool-choice --tool-call-parser}: one of {@link
 *     #TOOL_CALL_PARSERS}
 * @param reasoningParser {@code --reasoning-parser}: one of {@link #REASONING_PARSERS}
 * @param dtype {@code --dtype}: one of {@link #DTYPES}
 * @param quantization {@code --quantization}: one of {@link #QUANTIZATIONS}
 */
public record EngineOptions(
    Integer maxModelLen,
    BigDecimal gpuMemoryUtilization,
    Boolean enablePrefixCaching,
    Speculative speculative,
    String toolCallParser,
    String reasoningParser,
    String dtype,
    String quantization) {

  /** No option set: every engine default. */
  public static final EngineOptions NONE =
      new EngineOptions(null, null, null, null, null, null, null, null);

  public static final int MAX_MODEL_LEN_MIN = 128;
  public static final int MAX_MODEL_LEN_MAX = 1_048_576;
  public static final BigDecimal GPU_MEMORY_UTILIZATION_MIN = new BigDecimal("0.1");
  public static final BigDecimal GPU_MEMORY_UTILIZATION_MAX = BigDecimal.ONE;
  public static final int SPECULATIVE_TOKENS_MIN = 1;
  public static final int SPECULATIVE_TOKENS_MAX = 16;

  /** vLLM's {@code --dtype} choices. */
  public static final Set<String> DTYPES =
      Set.of("auto", "half", "float16", "bfloat16", "float", "float32");

  /** {@code --quantization} methods vLLM accepts (a conservative subset of its registry). */
  public static final Set<String> QUANTIZATIONS =
      Set.of(
          "awq",
          "awq_marlin",
          "gptq",
          "gptq_marlin",
          "gptq_marlin_24",
          "fp8",
          "fbgemm_fp8",
          "modelopt",
          "bitsandbytes",
          "gguf",
          "compressed-tensors",
          "experts_int8",
          "hqq",
          "mxfp4",
          "torchao");

  /** {@code --tool-call-parser} names registered in vLLM. */
  public static final Set<String> TOOL_CALL_PARSERS =
      Set.of(
          "hermes",
          "mistral",
          "llama3_json",
          "llama4_json",
          "llama4_pythonic",
          "granite",
          "granite-20b-fc",
          "internlm",
          "jamba",
          "xlam",
          "minimax",
          "pythonic",
          "phi4_mini_json",
          "deepseek_v3",
          "kimi_k2",
          "hunyuan_a13b",
          "qwen3_coder",
          "glm45",
          "openai");

  /** {@code --reasoning-parser} names registered in vLLM. */
  public static final Set<String> REASONING_PARSERS =
      Set.of(
          "deepseek_r1",
          "qwen3",
          "granite",
          "hunyuan_a13b",
          "mistral",
          "glm45",
          "step3",
          "openai_gptoss");

  /**
   * Speculative decoding with a draft model of the tenant's library.
   *
   * @param source the draft model's pinned source, {@code hf://org/repo@revision}
   * @param numSpeculativeTokens tokens proposed per step, {@link #SPECULATIVE_TOKENS_MIN} to {@link
   *     #SPECULATIVE_TOKENS_MAX}
   */
  public record Speculative(String source, int numSpeculativeTokens) {

    /** {@code org/repo} of the source. */
    public String repo() {
      String s = source.replaceFirst("^hf://", "");
      int at = s.lastIndexOf('@');
      return at > 0 ? s.substring(0, at) : s;
    }

    /** The revision of the source, or null when it names none. */
    public String revision() {
      String s = source.replaceFirst("^hf://", "");
      int at = s.lastIndexOf('@');
      return at > 0 ? s.substring(at + 1) : null;
    }
  }

  /** Whether no option is set. */
  public boolean isDefault() {
    return equals(NONE);
  }

  /**
   * The vLLM flags, one argument each ({@code --flag=value}, or a bare {@code --flag}), in a fixed
   * order; empty for {@link #NONE}.
   */
  public List<String> vllmArgs() {
    List<String> args = new ArrayList<>();
    if (maxModelLen != null) {
      args.add("--max-model-len=" + maxModelLen);
    }
    if (gpuMemoryUtilization != null) {
      args.add("--gpu-memory-utilization=" + gpuMemoryUtilization.toPlainString());
    }
    if (enablePrefixCaching != null) {
      args.add(enablePrefixCaching ? "--enable-prefix-caching" : "--no-enable-prefix-caching");
    }
    if (speculative != null) {
      StringBuilder json = new StringBuilder("{\"model\":");
      jsonString(json, speculative.repo());
      if (speculative.revision() != null) {
        json.append(",\"revision\":");
        jsonString(json, speculative.revision());
      }
      json.append(",\"num_speculative_tokens\":")
          .append(speculative.numSpeculativeTokens())
          .append('}');
      args.add("--speculative-config=" + json);
    }
    if (toolCallParser != null) {
      args.add("--enable-auto-tool-choice");
      args.add("--tool-call-parser=" + toolCallParser);
    }
    if (reasoningParser != null) {
      args.add("--reasoning-parser=" + reasoningParser);
    }
    if (dtype != null) {
      args.add("--dtype=" + dtype);
    }
    if (quantization != null) {
      args.add("--quantization=" + quantization);
    }
    return List.copyOf(args);
  }

  /**
   * The options as the tenant API and Redis show them (snake_case; unset fields are left out;
   * {@code speculative} as {@code {"source","num_speculative_tokens"}}).
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
    putIf(m, "reasoning_parser", reasoningParser);
    putIf(m, "dtype", dtype);
    putIf(m, "quantization", quantization);
    return m;
  }

  /**
   * Appends {@code value} as a JSON string: quoted, with the quote and the backslash escaped and
   * control characters as {@code \\uXXXX} (the draft's repo and revision come from the library, the
   * revision from the hub: never trusted to be free of them).
   */
  static void jsonString(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void putIf(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}
