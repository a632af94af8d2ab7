package io.zeroscale.gateway.model.hub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * What the metadata answer says, read leniently: any part of it may be missing. The {@code sha} is
 * kept only when it is a full git commit id (40 lowercase hex digits): instances are pinned to it
 * (it ends up in a source, an argument and a JSON flag), so anything else the hub (or something in
 * its place) says is treated as absent, as when the hub says nothing: the model then runs its
 * validated branch or tag, and its deployments carry a warning saying it is not pinned.
 */
record RepoInfo(
    String sha,
    String architecture,
    String modelType,
    boolean gated,
    List<Sibling> siblings,
    Map<String, Long> parameters,
    Long parameterTotal) {

  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");

  /** A file of the repo, with its size when the hub gave one. */
  record Sibling(String name, Long size) {}

  static RepoInfo parse(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode config = root.path("config");
    JsonNode architectures = config.path("architectures");
    String architecture =
        architectures.isArray() && !architectures.isEmpty() ? text(architectures.get(0)) : null;
    JsonNode gatedNode = root.path("gated");
    // "gated" is false, or the approval mode: "auto" or "manual".
    boolean gated =
        gatedNode.isBoolean()
            ? gatedNode.booleanValue()
            : gatedNode.isString()
                && !gatedNode.stringValue().isEmpty()
                && !gatedNode.stringValue().equalsIgnoreCase("false");
    List<Sibling> siblings = new ArrayList<>();
    for (JsonNode sibling : root.path("siblings").values()) {
      String name = text(sibling.path("rfilename"));
      if (name != null) {
        Long size = positiveLong(sibling.path("size"));
        siblings.add(new Sibling(name, size));
      }
    }
    JsonNode safetensors = root.path("safetensors");
    Map<String, Long> parameters = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : safetensors.path("parameters").properties()) {
      Long count = positiveLong(entry.getValue());
      if (count != null) {
        parameters.put(entry.getKey(), count);
      }
    }
    String sha = text(root.path("sha"));
    return new RepoInfo(
        sha != null && SHA.matcher(sha).matches() ? sha : null,
        architecture,
        text(config.path("model_type")),
        gated,
        List.copyOf(siblings),
        Map.copyOf(parameters),
        positiveLong(safetensors.path("total")));
  }

  boolean lists(String file) {
    return siblings.stream().anyMatch(s -> s.name().equals(file));
  }

  /** The safetensors files whose sizes make up the weights; see (b) in the class comment. */
  List<Sibling> weightFiles() {
    List<Sibling> all = siblings.stream().filter(s -> s.name().endsWith(".safetensors")).toList();
    List<Sibling> root = all.stream().filter(s -> !s.name().contains("/")).toList();
    List<Sibling> transformers = root.stream().filter(s -> s.name().startsWith("model")).toList();
    if (!transformers.isEmpty()) {
      return transformers;
    }
    return root.isEmpty() ? all : root;
  }

  private static String text(JsonNode node) {
    return node.isString() && !node.stringValue().isEmpty() ? node.stringValue() : null;
  }

  private static Long positiveLong(JsonNode node) {
    if (node.isIntegralNumber() && node.canConvertToLong() && node.asLong() > 0) {
      return node.asLong();
    }
    return null;
  }

  /** Bytes per element of safetensors dtypes, by width. */
  static final Map<String, Integer> DTYPE_BYTES =
      Map.copyOf(
          byWidth(
              Map.of(
                  8, List.of("F64", "I64", "U64"),
                  4, List.of("F32", "I32", "U32"),
                  2, List.of("F16", "BF16", "I16", "U16"),
                  1, List.of("I8", "U8", "BOOL"))));

  static final List<String> OTHER_WEIGHT_SUFFIXES =
      List.of(".bin", ".pt", ".pth", ".ckpt", ".gguf", ".h5", ".msgpack", ".onnx");

  private static Map<String, Integer> byWidth(Map<Integer, List<String>> dtypes) {
    Map<String, Integer> widths = new HashMap<>();
    dtypes.forEach((width, names) -> names.forEach(name -> widths.put(name, width)));
    return widths;
  }

  /**
   * What the hub says the weights weigh, by (a) the index total, (b) the sizes of the weight files,
   * (c) parameter counts × dtype widths (see {@link HubClient}); or why it cannot say.
   */
  HubLookup weights(HfSource source, OptionalLong indexTotal) {
    if (indexTotal.isPresent()) {
      return found(source, indexTotal.getAsLong());
    }
    List<Sibling> shards = weightFiles();
    long fromSizes = sumOfSizes(shards);
    if (fromSizes > 0) {
      return found(source, fromSizes);
    }
    String unknownDtype =
        parameters.keySet().stream()
            .filter(dtype -> dtypeBytes(dtype) == null)
            .findFirst()
            .orElse(null);
    long fromParameters = unknownDtype == null ? sumOfParameterBytes(parameters) : 0;
    if (fromParameters > 0) {
      return found(source, fromParameters);
    }
    return new HubLookup.NoWeights(noWeightsReason(source, shards, unknownDtype));
  }

  /** (b): 0 unless every file has a size; a partial sum would understate the weights. */
  private static long sumOfSizes(List<Sibling> shards) {
    if (shards.isEmpty() || shards.stream().anyMatch(s -> s.size() == null)) {
      return 0;
    }
    try {
      long sum = 0;
      for (Sibling shard : shards) {
        sum = Math.addExact(sum, shard.size());
      }
      return sum;
    } catch (ArithmeticException ignored) {
      return 0;
    }
  }

  /** (c): Σ count × width, 0 when there are no counts or they overflow a long (not a model). */
  private static long sumOfParameterBytes(Map<String, Long> parameters) {
    try {
      long sum = 0;
      for (Map.Entry<String, Long> entry : parameters.entrySet()) {
        sum = Math.addExact(sum, Math.multiplyExact(entry.getValue(), dtypeBytes(entry.getKey())));
      }
      return sum;
    } catch (ArithmeticException ignored) {
      return 0;
    }
  }

  private String noWeightsReason(HfSource source, List<Sibling> shards, String unknownDtype) {
    String what = source.uri();
    if (unknownDtype != null) {
      return what
          + ": the hub gives no sizes of its safetensors files and counts parameters in dtype "
          + HfSource.echo(unknownDtype)
          + ", whose width is unknown";
    }
    if (!shards.isEmpty()) {
      return what
          + " has safetensors files, but the hub gave neither their sizes nor parameter counts";
    }
    List<String> others = new ArrayList<>();
    for (Sibling sibling : siblings) {
      String lower = sibling.name().toLowerCase(Locale.ROOT);
      if (OTHER_WEIGHT_SUFFIXES.stream().anyMatch(lower::endsWith) && others.size() < 3) {
        // The names come from the repo: bounded, as anything echoed is.
        others.add(HfSource.echo(sibling.name()));
      }
    }
    if (others.isEmpty()) {
      return what + " has no weight files; only models with *.safetensors weights can be imported";
    }
    return what
        + " has no safetensors weights (it has "
        + String.join(", ", others)
        + "); only models with *.safetensors weights can be imported: pick a revision or a"
        + " conversion of the model that has them";
  }

  private static Integer dtypeBytes(String dtype) {
    String upper = dtype.toUpperCase(Locale.ROOT);
    if (upper.startsWith("F8_")) {
      return 1;
    }
    return DTYPE_BYTES.get(upper);
  }

  private HubLookup found(HfSource source, long weightBytes) {
    return new HubLookup.Found(
        source.repo(),
        source.revision(),
        sha,
        architecture,
        modelType,
        weightBytes,
        parameterTotal);
  }
}
