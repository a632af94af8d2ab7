package io.zeroscale.sim.config;

import io.zeroscale.sim.openai.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Parses vLLM / llm-d-inference-sim style command lines: {@code --flag=value} and {@code --flag
 * value}, a positional model (as in {@code vllm serve org/repo}), the vLLM engine options of
 * Zeroscale's per-deployment {@code engine} allowlist (validated as vLLM does, see {@link
 * EngineFlags}), and the vLLM flags a process template may pass that the simulator accepts and
 * ignores.
 */
public final class SimConfigParser {

  /** vLLM flags that a process template may pass; accepted and ignored. */
  private static final Set<String> IGNORED_WITH_VALUE =
      Set.of("--tensor-parallel-size", "--load-format");

  private static final Set<String> IGNORED_BOOLEAN = Set.of("--trust-remote-code");

  /** vLLM's switches among the engine options: they take no value (argparse store_true). */
  private static final Set<String> ENGINE_SWITCHES =
      Set.of("--enable-prefix-caching", "--no-enable-prefix-caching", "--enable-auto-tool-choice");

  /** The keys vLLM's {@code SpeculativeConfig} takes that the simulator knows. */
  private static final Set<String> SPECULATIVE_KEYS =
      Set.of("model", "revision", "num_speculative_tokens", "method", "draft_tensor_parallel_size");

  private static final Map<String, String> FLAG_HELP = new LinkedHashMap<>();

  static {
    FLAG_HELP.put("--host", "bind address (default 0.0.0.0)");
    FLAG_HELP.put("--port", "bind port, 0 = ephemeral (default 8000)");
    FLAG_HELP.put("--served-model-name", "one or more model names (a b, or a,b)");
    FLAG_HELP.put("--model", "model (as vLLM); used as the served name when none is given");
    FLAG_HELP.put("--family", "llm|embedding|rerank|image|audio (default llm)");
    FLAG_HELP.put("--startup-duration", "time until /health is 200 (default 0)");
    FLAG_HELP.put("--time-to-first-token", "delay from admission to first token (default 0)");
    FLAG_HELP.put("--inter-token-latency", "delay between tokens (default 0)");
    FLAG_HELP.put("--max-num-seqs", "requests running at once (default 256)");
    FLAG_HELP.put("--max-waiting-queue-length", "FIFO waiting requests, then 429 (default 1000)");
    FLAG_HELP.put("--failure-injection-rate", "probability in [0,1] of a 500 (default 0)");
    FLAG_HELP.put("--crash-after-requests", "halt(1) when request N+1 arrives; 0 = at boot");
    FLAG_HELP.put("--seed", "seed of the fault-injection RNG (default 0)");
    FLAG_HELP.put("--embedding-dimensions", "default embedding length (default 384)");
    FLAG_HELP.put("--revision", "the model's revision (reported by /debug/engine)");
    FLAG_HELP.put("--max-model-len", "context window (default 4096)");
    FLAG_HELP.put("--gpu-memory-utilization", "share of GPU memory, in (0, 1] (reported)");
    FLAG_HELP.put("--enable-prefix-caching", "switch (reported); --no-enable-prefix-caching too");
    FLAG_HELP.put(
        "--speculative-config", "JSON {\"model\",\"revision\",\"num_speculative_tokens\"}");
    FLAG_HELP.put("--enable-auto-tool-choice", "switch; needs --tool-call-parser (reported)");
    FLAG_HELP.put("--tool-call-parser", "one of vLLM's tool parsers (reported)");
    FLAG_HELP.put("--reasoning-parser", "one of vLLM's reasoning parsers (reported)");
    FLAG_HELP.put("--dtype", "auto|half|float16|bfloat16|float|float32 (reported)");
    FLAG_HELP.put("--quantization", "one of vLLM's quantization methods (reported)");
    FLAG_HELP.put(
        "--fail-boot-for-models", "globs (a,b): a matching MODEL[@revision] exits 1 at boot");
    FLAG_HELP.put("--drain-timeout", "SIGTERM drain timeout (default 30s)");
    FLAG_HELP.put(
        "--api-key", "require Authorization: Bearer KEY (else $VLLM_API_KEY; default: open)");
  }

  private SimConfigParser() {}

  /** The usage text printed by {@code --help} and after a command-line error. */
  public static String usage() {
    StringBuilder sb =
        new StringBuilder(
            "usage: java -jar engine-sim.jar [MODEL] --served-model-name=NAME [flags]\n"
                + "durations: 3s, 50ms, 1m, 0 (a plain number is ms)\n");
    FLAG_HELP.forEach(
        (flag, help) -> sb.append(String.format(Locale.ROOT, "  %-28s %s%n", flag, help)));
    sb.append("  accepted and ignored (vLLM): --tensor-parallel-size, --trust-remote-code\n");
    sb.append("  accepted and shown on /debug/credentials: --load-format\n");
    return sb.toString();
  }

  /** vLLM's environment variable for the API key; {@code --api-key} wins over it. */
  public static final String API_KEY_ENV = "VLLM_API_KEY";

  /**
   * The Hugging Face token a real engine would download with; the simulator downloads nothing and
   * keeps only its {@link TokenFingerprint}.
   */
  public static final String HF_TOKEN_ENV = "HF_TOKEN";

  /**
   * Parses the arguments and this process's environment ({@code VLLM_API_KEY}, {@code HF_TOKEN});
   * never throws for bad input.
   */
  public static ParseResult parse(String... args) {
    return parse(System.getenv(), args);
  }

  /**
   * Parses the arguments; never throws for bad input, returns {@link ParseResult.Invalid}.
   *
   * @param env the environment, read only for {@code VLLM_API_KEY} (as vLLM: the flag wins, an
   *     empty variable counts as unset) and {@code HF_TOKEN} (fingerprinted)
   */
  public static ParseResult parse(Map<String, String> env, String... args) {
    SimConfig.Builder builder = SimConfig.builder();
    EngineFlags.Builder engine = new EngineFlags.Builder();
    String positional = null;
    String modelFlag = null;
    String loadFormat = null;
    List<String> argList = Arrays.asList(args);
    // `vllm serve org/repo ...` becomes `java -jar engine-sim.jar serve org/repo ...`.
    int i = !argList.isEmpty() && argList.getFirst().equals("serve") ? 1 : 0;
    while (i < argList.size()) {
      String arg = argList.get(i);
      if (arg.equals("--help") || arg.equals("-h")) {
        return new ParseResult.Help(usage());
      }
      if (!arg.startsWith("-") || arg.equals("-")) {
        if (positional != null) {
          return new ParseResult.Invalid(
              "unexpected argument '"
                  + arg
                  + "' (the model was already given as '"
                  + positional
                  + "')");
        }
        positional = arg;
        i++;
        continue;
      }
      int eq = arg.indexOf('=');
      String flag = eq < 0 ? arg : arg.substring(0, eq);
      String inline = eq < 0 ? null : arg.substring(eq + 1);
      if (IGNORED_BOOLEAN.contains(flag)) {
        i++;
        continue;
      }
      if (ENGINE_SWITCHES.contains(flag)) {
        if (inline != null) {
          return new ParseResult.Invalid(flag + " takes no value, got '" + inline + "'");
        }
        switch (flag) {
          case "--enable-prefix-caching" -> engine.enablePrefixCaching = true;
          case "--no-enable-prefix-caching" -> engine.enablePrefixCaching = false;
          default -> engine.enableAutoToolChoice = true;
        }
        i++;
        continue;
      }
      if (!FLAG_HELP.containsKey(flag) && !IGNORED_WITH_VALUE.contains(flag)) {
        return new ParseResult.Invalid("unknown flag " + flag + " (see --help)");
      }
      List<String> values = new ArrayList<>();
      if (inline != null) {
        values.add(inline);
        i++;
      } else {
        i++;
        boolean multi = flag.equals("--served-model-name");
        while (i < argList.size() && !argList.get(i).startsWith("--")) {
          values.add(argList.get(i));
          i++;
          if (!multi) {
            break;
          }
        }
        if (values.isEmpty()) {
          return new ParseResult.Invalid(flag + " needs a value");
        }
      }
      if (flag.equals("--load-format")) {
        // Accepted (vLLM's runai_streamer for s3:// models) and shown on /debug/credentials.
        loadFormat = values.getFirst();
      }
      if (IGNORED_WITH_VALUE.contains(flag)) {
        continue;
      }
      try {
        if (flag.equals("--model")) {
          modelFlag = values.getFirst();
        } else if (!applyEngine(engine, flag, values.getFirst())) {
          apply(builder, flag, values);
        }
      } catch (IllegalArgumentException e) {
        return new ParseResult.Invalid(flag + ": " + e.getMessage());
      }
    }
    String envKey = env.get(API_KEY_ENV);
    if (!builder.hasApiKey() && envKey != null && !envKey.isEmpty()) {
      builder.apiKey(envKey);
    }
    builder.hfToken(env.get(HF_TOKEN_ENV));
    String model = modelFlag != null ? modelFlag : positional;
    builder.model(model);
    builder.modelLoad(ModelLoad.of(model, loadFormat, env));
    if (!builder.hasServedModelNames() && model != null) {
      builder.servedModelNames(model);
    }
    try {
      return new ParseResult.Ok(builder.engine(engine.build()).build());
    } catch (IllegalArgumentException e) {
      return new ParseResult.Invalid(e.getMessage());
    }
  }

  private static void apply(SimConfig.Builder b, String flag, List<String> values) {
    String v = values.getFirst();
    switch (flag) {
      case "--host" -> b.host(v);
      case "--port" -> b.port(integer(v));
      case "--served-model-name" -> b.servedModelNames(names(values));
      case "--family" ->
          b.family(
              Family.parse(v)
                  .orElseThrow(
                      () ->
                          new IllegalArgumentException(
                              "'" + v + "' is not one of llm, embedding, rerank, image, audio")));
      case "--startup-duration" -> b.startupDuration(Durations.parse(v));
      case "--time-to-first-token" -> b.timeToFirstToken(Durations.parse(v));
      case "--inter-token-latency" -> b.interTokenLatency(Durations.parse(v));
      case "--max-num-seqs" -> b.maxNumSeqs(integer(v));
      case "--max-waiting-queue-length" -> b.maxWaitingQueueLength(integer(v));
      case "--failure-injection-rate" -> b.failureInjectionRate(decimal(v));
      case "--crash-after-requests" -> b.crashAfterRequests(longValue(v));
      case "--seed" -> b.seed(longValue(v));
      case "--embedding-dimensions" -> b.embeddingDimensions(integer(v));
      case "--drain-timeout" -> b.drainTimeout(Durations.parse(v));
      case "--revision" -> {
        if (v.isBlank()) {
          throw new IllegalArgumentException("must not be empty");
        }
        b.revision(v);
      }
      case "--fail-boot-for-models" -> b.failBootForModels(globs(v));
      case "--api-key" -> {
        if (v.isBlank()) {
          throw new IllegalArgumentException("must not be empty");
        }
        b.apiKey(v);
      }
      default -> throw new IllegalArgumentException("unknown flag");
    }
  }

  /**
   * Collects an engine option; false when {@code flag} is none. Values are checked here as far as
   * one flag alone allows; {@link EngineFlags} checks the choices and the flags together.
   */
  private static boolean applyEngine(EngineFlags.Builder e, String flag, String v) {
    switch (flag) {
      case "--max-model-len" -> e.maxModelLen = integer(v);
      case "--gpu-memory-utilization" -> e.gpuMemoryUtilization = bigDecimal(v);
      case "--speculative-config" -> e.speculative = speculative(v);
      case "--tool-call-parser" -> e.toolCallParser = v;
      case "--reasoning-parser" -> e.reasoningParser = v;
      case "--dtype" -> e.dtype = v;
      case "--quantization" -> e.quantization = v;
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code --speculative-config}: a JSON object, as vLLM parses it, with a {@code model} and its
   * {@code num_speculative_tokens} (the simulator has no draft model config to take the count
   * from); an unknown key is refused, as vLLM's config class refuses it.
   */
  private static EngineFlags.Speculative speculative(String v) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(v);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("'" + v + "' is not valid JSON", e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("'" + v + "' is not a JSON object");
    }
    for (String key : node.propertyNames()) {
      if (!SPECULATIVE_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown key '" + key + "' (known: " + String.join(", ", SPECULATIVE_KEYS) + ")");
      }
    }
    JsonNode model = node.get("model");
    if (model == null || !model.isString() || model.stringValue().isBlank()) {
      throw new IllegalArgumentException("'model' must be a non-empty string, in " + v);
    }
    JsonNode revision = node.get("revision");
    if (revision != null && !revision.isNull() && !revision.isString()) {
      throw new IllegalArgumentException("'revision' must be a string, in " + v);
    }
    JsonNode tokens = node.get("num_speculative_tokens");
    if (tokens == null || !tokens.isIntegralNumber() || !tokens.canConvertToInt()) {
      throw new IllegalArgumentException("'num_speculative_tokens' must be an integer, in " + v);
    }
    return new EngineFlags.Speculative(
        model.stringValue(),
        revision == null || revision.isNull() ? null : revision.stringValue(),
        tokens.intValue());
  }

  private static List<String> globs(String v) {
    List<String> globs = new ArrayList<>();
    for (String part : v.split(",", -1)) {
      String glob = part.trim();
      if (glob.isEmpty()) {
        throw new IllegalArgumentException("empty glob in '" + v + "'");
      }
      globs.add(glob);
    }
    return globs;
  }

  private static List<String> names(List<String> values) {
    List<String> names = new ArrayList<>();
    for (String value : values) {
      for (String part : value.split(",", -1)) {
        String name = part.trim();
        if (name.isEmpty()) {
          throw new IllegalArgumentException("empty model name in '" + value + "'");
        }
        if (!names.contains(name)) {
          names.add(name);
        }
      }
    }
    return names;
  }

  private static int integer(String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + v + "' is not an integer", e);
    }
  }

  private static long longValue(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + v + "' is not an integer", e);
    }
  }

  private static BigDecimal bigDecimal(String v) {
    try {
      return new BigDecimal(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + v + "' is not a number", e);
    }
  }

  private static double decimal(String v) {
    try {
      double d = Double.parseDouble(v.trim());
      if (Double.isNaN(d)) {
        throw new IllegalArgumentException("'" + v + "' is not a number");
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + v + "' is not a number", e);
    }
  }
}
