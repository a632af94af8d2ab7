package io.zeroscale.sim.openai;

import io.zeroscale.sim.generate.Hashing;
import io.zeroscale.sim.generate.Png;
import io.zeroscale.sim.generate.TextGenerator;
import java.util.Base64;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A validated {@code POST /v1/images/generations} request.
 *
 * @param model the requested model
 * @param prompt the prompt (seeds the pixels, echoed as revised_prompt)
 * @param n images to return
 * @param url {@code response_format: url}: a {@code data:} URL instead of {@code b64_json}
 */
public record ImageRequest(String model, String prompt, int n, boolean url) {

  static final int MAX_N = 10;
  private static final Pattern SIZE = Pattern.compile("auto|[1-9]\\d{0,4}x[1-9]\\d{0,4}");

  /** Parses the body. The size is validated but images are always 8×8 pixels. */
  public static ImageRequest parse(JsonNode body) {
    String model = Json.model(body);
    String prompt = Json.requiredString(body, "prompt");
    int n = Json.optionalInt(body, "n", 1, MAX_N).orElse(1);
    String size = Json.optionalString(body, "size", "auto");
    if (!SIZE.matcher(size).matches()) {
      throw new InvalidRequestException(
          "size", "'size' must be 'auto' or WIDTHxHEIGHT such as '256x256', got '" + size + "'.");
    }
    String format = Json.optionalString(body, "response_format", "b64_json");
    if (!format.equals("b64_json") && !format.equals("url")) {
      throw new InvalidRequestException(
          "response_format",
          "'response_format' must be 'b64_json' or 'url', got '" + format + "'.");
    }
    return new ImageRequest(model, prompt, n, format.equals("url"));
  }

  public int promptTokens() {
    return Math.max(1, TextGenerator.countWords(prompt));
  }

  /** The response body; image i is seeded by (prompt hash, i). */
  public byte[] response(long created) {
    long hash = Hashing.of(prompt);
    ObjectNode root = Json.object();
    root.put("created", created);
    ArrayNode data = root.putArray("data");
    for (int i = 0; i < n; i++) {
      String b64 = Base64.getEncoder().encodeToString(Png.pattern(Hashing.derive(hash, i)));
      ObjectNode image = data.addObject();
      if (url) {
        image.put("url", "data:image/png;base64," + b64);
      } else {
        image.put("b64_json", b64);
      }
      image.put("revised_prompt", prompt);
    }
    return Json.bytes(root);
  }
}
