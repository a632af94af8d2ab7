package io.zeroscale.sim.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Validated simulator settings. Every validation message names the flag and the value, so a
 * mistyped process template fails at start with a message that says what to fix.
 *
 * @param host bind address ({@code --host})
 * @param port bind port, 0 = ephemeral ({@code --port})
 * @param servedModelNames the names a request's {@code model} may use; the first labels metrics
 * @param family which endpoints are served ({@code --family})
 * @param startupDuration time until {@code /health} answers 200
 * @param timeToFirstToken delay from admission to the first token
 * @param interTokenLatency delay between two tokens
 * @param maxNumSeqs how many requests run at once
 * @param maxWaitingQueueLength how many admitted-later requests may wait (FIFO); more get 429
 * @param failureInjectionRate probability in [0,1] that an admitted request fails with 500
 * @param crashAfterRequests halt with exit code 1 when request N+1 arrives (0 = at boot)
 * @param seed seed of the fault-injection random generator
 * @param embeddingDimensions default embedding vector length
 * @param drainTimeout how long SIGTERM waits for in-flight requests
 * @param apiKey the key every request but {@code /health}, {@code /metrics}, {@code /ping} and
 *     {@code /version} must carry as {@code Authorization: Bearer <key>} ({@code --api-key} or
 *     {@code VLLM_API_KEY}, as vLLM), or null for an open engine
 * @param hfToken what it shows of the {@code HF_TOKEN} it was started with ({@code GET
 *     /debug/credentials}, the start-up lines), or null when it got none; never the token itself
 * @param model the model as vLLM takes it ({@code org/repo}: the positional argument or {@code
 *     --model}), or null when none was given
 * @param revision the model's revision ({@code --revision}), or null
 * @param engine the vLLM engine options it was started with ({@code GET /debug/engine}); its {@code
 *     --max-model-len} is the context window ({@link #maxModelLen()})
 * @param failBootForModels {@code --fail-boot-for-models}: globs of models that fail to boot (see
 *     {@link #bootFailure()})
 * @param modelLoad its model argument, {@code --load-format} and S3 variables ({@link ModelLoad})
 */
public record SimConfig(
    String host,
    int port,
    List<String> servedModelNames,
    Family family,
    Duration startupDuration,
    Duration timeToFirstToken,
    Duration interTokenLatency,
    int maxNumSeqs,
    int maxWaitingQueueLength,
    double failureInjectionRate,
    OptionalLong crashAfterRequests,
    long seed,
    int embeddingDimensions,
    Duration drainTimeout,
    String apiKey,
    TokenFingerprint hfToken,
    String model,
    String revision,
    EngineFlags engine,
    List<String> failBootForModels,
    ModelLoad modelLoad) {

  /** vLLM's {@code --max-num-seqs} default. */
  public static final int DEFAULT_MAX_NUM_SEQS = 256;

  /** The context window without {@code --max-model-len}. */
  public static final int DEFAULT_MAX_MODEL_LEN = 4096;

  public SimConfig {
    Objects.requireNonNull(host, "--host");
    Objects.requireNonNull(family, "--family");
    servedModelNames = List.copyOf(servedModelNames);
    require(!host.isBlank(), "--host must not be empty");
    require(port >= 0 && port <= 65535, "--port must be in [0, 65535], got " + port);
    require(
        !servedModelNames.isEmpty(),
        "--served-model-name is required (or give the model as the first positional argument)");
    for (String name : servedModelNames) {
      require(!name.isBlank(), "--served-model-name must not contain an empty name");
    }
    requireNonNegative("--startup-duration", startupDuration);
    requireNonNegative("--time-to-first-token", timeToFirstToken);
    requireNonNegative("--inter-token-latency", interTokenLatency);
    requireNonNegative("--drain-timeout", drainTimeout);
    require(maxNumSeqs >= 1, "--max-num-seqs must be >= 1, got " + maxNumSeqs);
    require(
        maxWaitingQueueLength >= 0,
        "--max-waiting-queue-length must be >= 0, got " + maxWaitingQueueLength);
    require(
        failureInjectionRate >= 0 && failureInjectionRate <= 1,
        "--failure-injection-rate must be a probability in [0, 1] (0.1 = 10%), got "
            + failureInjectionRate);
    Objects.requireNonNull(crashAfterRequests, "--crash-after-requests");
    crashAfterRequests.ifPresent(
        n -> require(n >= 0, "--crash-after-requests must be >= 0, got " + n));
    require(
        embeddingDimensions >= 1 && embeddingDimensions <= 65_536,
        "--embedding-dimensions must be in [1, 65536], got " + embeddingDimensions);
    require(apiKey == null || !apiKey.isBlank(), "--api-key must not be empty");
    Objects.requireNonNull(engine, "engine");
    failBootForModels = List.copyOf(failBootForModels);
    for (String glob : failBootForModels) {
      require(
          !glob.isBlank() && glob.strip().equals(glob),
          "--fail-boot-for-models must be a comma-separated list of non-empty globs, got '"
              + glob
              + "'");
    }
  }

  /** The context window reported in {@code /v1/models} and enforced on max_tokens. */
  public int maxModelLen() {
    return engine.maxModelLen() != null ? engine.maxModelLen() : DEFAULT_MAX_MODEL_LEN;
  }

  /**
   * Whether this engine is to fail its boot ({@code --fail-boot-for-models}): the first glob that
   * matches its model ({@code org/repo}) or its model at its revision ({@code org/repo@rev}, when
   * {@code --revision} is given). In a glob, {@code *} stands for any characters ({@code /}
   * included) and {@code ?} for one; nothing else is special. Empty without a model.
   */
  public Optional<String> bootFailure() {
    if (model == null) {
      return Optional.empty();
    }
    for (String glob : failBootForModels) {
      Pattern p = globPattern(glob);
      if (p.matcher(model).matches()
          || (revision != null && p.matcher(model + "@" + revision).matches())) {
        return Optional.of(glob);
      }
    }
    return Optional.empty();
  }

  private static Pattern globPattern(String glob) {
    StringBuilder regex = new StringBuilder();
    for (String part : glob.split("(?=[*?])|(?<=[*?])")) {
      switch (part) {
        case "*" -> regex.append(".*");
        case "?" -> regex.append('.');
        default -> regex.append(Pattern.quote(part));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  /** Whether requests must carry the API key. */
  public boolean requiresApiKey() {
    return apiKey != null;
  }

  /** Never shows the API key (a config may end up in a log line). */
  @Override
  public String toString() {
    return "SimConfig[host="
        + host
        + ", port="
        + port
        + ", servedModelNames="
        + servedModelNames
        + ", family="
        + family
        + ", model="
        + model
        + ", maxNumSeqs="
        + maxNumSeqs
        + ", engine="
        + engine.toMap()
        + ", apiKey="
        + (apiKey == null ? "none" : "***")
        + ", hfToken="
        + (hfToken == null ? "none" : hfToken.masked())
        + "]";
  }

  /** A builder preloaded with the flag defaults; the parser and tests start from it. */
  public static Builder builder() {
    return new Builder();
  }

  /** The name that labels metrics: the first served name. */
  public String primaryModelName() {
    return servedModelNames.getFirst();
  }

  /** Whether a request's {@code model} is one of the served names. */
  public boolean serves(String model) {
    return servedModelNames.contains(model);
  }

  /** Mutable builder with the documented defaults; {@link #build()} validates. */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 8000;
    private List<String> servedModelNames = List.of();
    private Family family = Family.LLM;
    private Duration startupDuration = Duration.ZERO;
    private Duration timeToFirstToken = Duration.ZERO;
    private Duration interTokenLatency = Duration.ZERO;
    private int maxNumSeqs = DEFAULT_MAX_NUM_SEQS;
    private int maxWaitingQueueLength = 1000;
    private double failureInjectionRate;
    private OptionalLong crashAfterRequests = OptionalLong.empty();
    private long seed;
    private int embeddingDimensions = 384;
    private Duration drainTimeout = Duration.ofSeconds(30);
    private String apiKey;
    private TokenFingerprint hfToken;
    private String model;
    private String revision;
    private EngineFlags engine = EngineFlags.NONE;
    private List<String> failBootForModels = List.of();
    private ModelLoad modelLoad = ModelLoad.NONE;

    private Builder() {}

    public Builder host(String value) {
      this.host = value;
      return this;
    }

    public Builder port(int value) {
      this.port = value;
      return this;
    }

    public Builder servedModelNames(List<String> value) {
      this.servedModelNames = value;
      return this;
    }

    public Builder servedModelNames(String... value) {
      return servedModelNames(List.of(value));
    }

    public Builder family(Family value) {
      this.family = value;
      return this;
    }

    public Builder startupDuration(Duration value) {
      this.startupDuration = value;
      return this;
    }

    public Builder timeToFirstToken(Duration value) {
      this.timeToFirstToken = value;
      return this;
    }

    public Builder interTokenLatency(Duration value) {
      this.interTokenLatency = value;
      return this;
    }

    public Builder maxNumSeqs(int value) {
      this.maxNumSeqs = value;
      return this;
    }

    public Builder maxWaitingQueueLength(int value) {
      this.maxWaitingQueueLength = value;
      return this;
    }

    public Builder failureInjectionRate(double value) {
      this.failureInjectionRate = value;
      return this;
    }

    public Builder crashAfterRequests(long value) {
      this.crashAfterRequests = OptionalLong.of(value);
      return this;
    }

    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    public Builder embeddingDimensions(int value) {
      this.embeddingDimensions = value;
      return this;
    }

    /** {@code --max-model-len}: the engine flag, which also sets the context window. */
    public Builder maxModelLen(int value) {
      this.engine = engine.withMaxModelLen(value);
      return this;
    }

    /** The model ({@code org/repo}), as the positional argument or {@code --model}. */
    public Builder model(String value) {
      this.model = value;
      return this;
    }

    public Builder revision(String value) {
      this.revision = value;
      return this;
    }

    /** The engine options; replaces an earlier {@link #maxModelLen}. */
    public Builder engine(EngineFlags value) {
      this.engine = value;
      return this;
    }

    public Builder failBootForModels(List<String> value) {
      this.failBootForModels = value;
      return this;
    }

    public Builder drainTimeout(Duration value) {
      this.drainTimeout = value;
      return this;
    }

    public Builder apiKey(String value) {
      this.apiKey = value;
      return this;
    }

    /** The {@code HF_TOKEN} it got (null or empty: none); only its fingerprint is kept. */
    /** The model argument, {@code --load-format} and the S3 variables ({@link ModelLoad}). */
    public Builder modelLoad(ModelLoad value) {
      this.modelLoad = value == null ? ModelLoad.NONE : value;
      return this;
    }

    public Builder hfToken(String value) {
      this.hfToken = TokenFingerprint.of(value);
      return this;
    }

    /** True when no API key was given on the command line ({@code VLLM_API_KEY} then applies). */
    boolean hasApiKey() {
      return apiKey != null;
    }

    /** True when no served name was given yet (the positional model is then used). */
    boolean hasServedModelNames() {
      return !servedModelNames.isEmpty();
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException with a message naming the offending flag
     */
    public SimConfig build() {
      return new SimConfig(
          host,
          port,
          servedModelNames,
          family,
          startupDuration,
          timeToFirstToken,
          interTokenLatency,
          maxNumSeqs,
          maxWaitingQueueLength,
          failureInjectionRate,
          crashAfterRequests,
          seed,
          embeddingDimensions,
          drainTimeout,
          apiKey,
          hfToken,
          model,
          revision,
          engine,
          failBootForModels,
          modelLoad);
    }
  }

  private static void requireNonNegative(String flag, Duration d) {
    Objects.requireNonNull(d, flag);
    require(!d.isNegative(), flag + " must not be negative, got " + d);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
