package io.zeroscale.sim.openai;

import io.zeroscale.sim.generate.Embeddings;
import io.zeroscale.sim.generate.Hashing;
import io.zeroscale.sim.generate.TextGenerator;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A validated {@code POST /v1/embeddings} request.
 *
 * @param model the requested model
 * @param inputs one hash text per input (a string, or token ids rendered as text)
 * @param promptTokens sum of input token counts
 * @param dimensions vector length
 * @param base64 {@code encoding_format: base64}
 */
public record EmbeddingRequest(
    String model, List<String> inputs, int promptTokens, int dimensions, boolean base64) {

  static final int MAX_DIMENSIONS = 65_536;

  /** Parses the body; {@code defaultDimensions} comes from {@code --embedding-dimensions}. */
  public static EmbeddingRequest parse(JsonNode body, int defaultDimensions) {
    String model = Json.model(body);
    JsonNode input = body.get("input");
    if (input == null || input.isNull()) {
      throw new InvalidRequestException("input", "Missing required parameter: 'input'.");
    }
    List<String> inputs = new ArrayList<>();
    int tokens = 0;
    if (input.isString()) {
      inputs.add(input.stringValue());
      tokens += Math.max(1, TextGenerator.countWords(input.stringValue()));
    } else if (input.isArray() && !input.isEmpty()) {
      JsonNode first = input.get(0);
      if (first.isIntegralNumber()) {
        inputs.add(tokenText(input));
        tokens += input.size();
      } else {
        for (JsonNode item : input) {
          if (item.isString() && first.isString()) {
            inputs.add(item.stringValue());
            tokens += Math.max(1, TextGenerator.countWords(item.stringValue()));
          } else if (item.isArray() && !item.isEmpty() && first.isArray()) {
            inputs.add(tokenText(item));
            tokens += item.size();
          } else {
            throw new InvalidRequestException("input", shapeMessage());
          }
        }
      }
    } else {
      throw new InvalidRequestException("input", shapeMessage());
    }
    int dimensions =
        Json.optionalInt(body, "dimensions", 1, MAX_DIMENSIONS).orElse(defaultDimensions);
    String format = Json.optionalString(body, "encoding_format", "float");
    if (!format.equals("float") && !format.equals("base64")) {
      throw new InvalidRequestException(
          "encoding_format",
          "'encoding_format' must be 'float' or 'base64', got '" + format + "'.");
    }
    return new EmbeddingRequest(
        model, List.copyOf(inputs), tokens, dimensions, format.equals("base64"));
  }

  /** The response body; vectors are seeded by each input's hash. */
  public byte[] response(String id, long created) {
    ObjectNode root = Json.object();
    root.put("id", id);
    root.put("object", "list");
    root.put("created", created);
    root.put("model", model);
    ArrayNode data = root.putArray("data");
    for (int i = 0; i < inputs.size(); i++) {
      float[] vector = Embeddings.vector(Hashing.of(inputs.get(i)), dimensions);
      ObjectNode item = data.addObject();
      item.put("object", "embedding");
      item.put("index", i);
      if (base64) {
        item.put("embedding", Embeddings.base64(vector));
      } else {
        ArrayNode values = item.putArray("embedding");
        for (float v : vector) {
          values.add(v);
        }
      }
    }
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", promptTokens);
    usage.put("total_tokens", promptTokens);
    return Json.bytes(root);
  }

  private static String tokenText(JsonNode ids) {
    StringBuilder sb = new StringBuilder("tokens:");
    for (JsonNode id : ids) {
      if (!id.isIntegralNumber()) {
        throw new InvalidRequestException("input", "Token ids must be integers.");
      }
      sb.append(id.asLong()).append(',');
    }
    return sb.toString();
  }

  private static String shapeMessage() {
    return "'input' must be a string, an array of strings, an array of token ids"
        + " or an array of token id arrays.";
  }
}
