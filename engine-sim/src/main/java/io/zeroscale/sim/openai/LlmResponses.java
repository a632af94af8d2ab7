package io.zeroscale.sim.openai;

import java.util.function.BiConsumer;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Non-streaming chat and text completion bodies, in OpenAI's exact shape. */
public final class LlmResponses {

  private LlmResponses() {}

  /** {@code chat.completion}. */
  public static byte[] chatCompletion(String id, long created, String model, Generation g) {
    return completion(
        head(id, "chat.completion", created, model),
        g,
        (choice, c) -> {
          ObjectNode message = choice.putObject("message");
          message.put("role", "assistant");
          message.put("content", c.text());
          message.putNull("refusal");
        });
  }

  /** {@code text_completion}. */
  public static byte[] textCompletion(String id, long created, String model, Generation g) {
    return completion(
        head(id, "text_completion", created, model),
        g,
        (choice, c) -> choice.put("text", c.text()));
  }

  /** The choices (index, {@code content}, logprobs, finish reason) and the usage after the head. */
  private static byte[] completion(
      ObjectNode root, Generation g, BiConsumer<ObjectNode, Generation.Choice> content) {
    ArrayNode choices = root.putArray("choices");
    for (Generation.Choice c : g.choices()) {
      ObjectNode choice = choices.addObject();
      choice.put("index", c.index());
      content.accept(choice, c);
      choice.putNull("logprobs");
      choice.put("finish_reason", c.finishReason().wireName());
    }
    usage(root.putObject("usage"), g);
    return Json.bytes(root);
  }

  static ObjectNode head(String id, String object, long created, String model) {
    ObjectNode root = Json.object();
    root.put("id", id);
    root.put("object", object);
    root.put("created", created);
    root.put("model", model);
    return root;
  }

  static void usage(ObjectNode usage, Generation g) {
    usage.put("prompt_tokens", g.promptTokens());
    usage.put("completion_tokens", g.completionTokens());
    usage.put("total_tokens", g.promptTokens() + g.completionTokens());
  }
}
