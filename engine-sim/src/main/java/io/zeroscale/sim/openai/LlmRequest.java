package io.zeroscale.sim.openai;

import io.zeroscale.sim.generate.TextGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import tools.jackson.databind.JsonNode;

/**
 * A validated chat or text completion request, reduced to what shapes the output.
 *
 * @param model the requested model (echoed in responses)
 * @param prompts one prompt for chat; one or more for completions (a batch)
 * @param maxTokens exact output length when given
 * @param n choices per prompt
 * @param stream answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage}
 */
public record LlmRequest(
    String model,
    List<Prompt> prompts,
    OptionalInt maxTokens,
    int n,
    boolean stream,
    boolean includeUsage) {

  /** Choices per request are capped so a request cannot ask for unbounded work. */
  static final int MAX_N = 128;

  /**
   * One prompt: the text that seeds the output and its token count.
   *
   * @param text hash input (message roles and contents, or the prompt text)
   * @param tokens prompt token count (whitespace-separated words, at least 1)
   */
  public record Prompt(String text, int tokens) {}

  /** Parses {@code POST /v1/chat/completions}. */
  public static LlmRequest chat(JsonNode body) {
    String model = Json.model(body);
    JsonNode messages = body.get("messages");
    if (messages == null || messages.isNull()) {
      throw new InvalidRequestException("messages", "Missing required parameter: 'messages'.");
    }
    if (!messages.isArray() || messages.isEmpty()) {
      throw new InvalidRequestException("messages", "'messages' must be a non-empty array.");
    }
    StringBuilder text = new StringBuilder();
    int words = 0;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      if (!message.isObject()) {
        throw new InvalidRequestException(
            "messages[" + i + "]", "Each message must be an object with 'role' and 'content'.");
      }
      JsonNode role = message.get("role");
      if (role == null || !role.isString()) {
        throw new InvalidRequestException(
            "messages[" + i + "].role", "Each message needs a string 'role'.");
      }
      String content = contentText(message.get("content"), i);
      text.append(role.stringValue()).append('\n').append(content).append('\n');
      words += TextGenerator.countWords(content);
    }
    OptionalInt maxCompletion =
        Json.optionalInt(body, "max_completion_tokens", 1, Integer.MAX_VALUE);
    OptionalInt maxTokens =
        maxCompletion.isPresent()
            ? maxCompletion
            : Json.optionalInt(body, "max_tokens", 1, Integer.MAX_VALUE);
    return new LlmRequest(
        model,
        List.of(new Prompt(text.toString(), Math.max(1, words))),
        maxTokens,
        Json.optionalInt(body, "n", 1, MAX_N).orElse(1),
        Json.optionalBoolean(body, "stream", false),
        includeUsage(body));
  }

  /** Parses {@code POST /v1/completions}. */
  public static LlmRequest completion(JsonNode body) {
    String model = Json.model(body);
    JsonNode prompt = body.get("prompt");
    if (prompt == null || prompt.isNull()) {
      throw new InvalidRequestException("prompt", "Missing required parameter: 'prompt'.");
    }
    List<Prompt> prompts = new ArrayList<>();
    if (prompt.isString()) {
      prompts.add(textPrompt(prompt.stringValue()));
    } else if (prompt.isArray() && !prompt.isEmpty()) {
      if (prompt.get(0).isIntegralNumber()) {
        prompts.add(tokenPrompt(prompt, "prompt"));
      } else {
        for (int i = 0; i < prompt.size(); i++) {
          JsonNode item = prompt.get(i);
          if (item.isString()) {
            prompts.add(textPrompt(item.stringValue()));
          } else if (item.isArray() && !item.isEmpty()) {
            prompts.add(tokenPrompt(item, "prompt[" + i + "]"));
          } else {
            throw new InvalidRequestException("prompt", promptShapeMessage());
          }
        }
      }
    } else {
      throw new InvalidRequestException("prompt", promptShapeMessage());
    }
    int n = Json.optionalInt(body, "n", 1, MAX_N).orElse(1);
    if ((long) n * prompts.size() > MAX_N) {
      throw new InvalidRequestException(
          "n", "At most " + MAX_N + " choices per request (prompts × n).");
    }
    return new LlmRequest(
        model,
        List.copyOf(prompts),
        Json.optionalInt(body, "max_tokens", 1, Integer.MAX_VALUE),
        n,
        Json.optionalBoolean(body, "stream", false),
        includeUsage(body));
  }

  private static boolean includeUsage(JsonNode body) {
    JsonNode options = body.get("stream_options");
    if (options == null || options.isNull()) {
      return false;
    }
    if (!options.isObject()) {
      throw new InvalidRequestException("stream_options", "'stream_options' must be an object.");
    }
    return Json.optionalBoolean(options, "include_usage", false);
  }

  private static String contentText(JsonNode content, int index) {
    if (content == null || content.isNull()) {
      return ""; // e.g. an assistant message that only carries tool calls
    }
    if (content.isString()) {
      return content.stringValue();
    }
    if (content.isArray()) {
      // Content parts: only text parts count; images/audio parts are accepted and skipped.
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : content) {
        JsonNode text = part.get("text");
        if (text != null && text.isString()) {
          sb.append(text.stringValue()).append('\n');
        }
      }
      return sb.toString();
    }
    throw new InvalidRequestException(
        "messages[" + index + "].content", "'content' must be a string or an array of parts.");
  }

  private static Prompt textPrompt(String text) {
    return new Prompt(text, Math.max(1, TextGenerator.countWords(text)));
  }

  private static Prompt tokenPrompt(JsonNode ids, String param) {
    StringBuilder text = new StringBuilder("tokens:");
    for (JsonNode id : ids) {
      if (!id.isIntegralNumber()) {
        throw new InvalidRequestException(param, "Token ids must be integers.");
      }
      text.append(id.asLong()).append(',');
    }
    return new Prompt(text.toString(), ids.size());
  }

  private static String promptShapeMessage() {
    return "'prompt' must be a string, an array of strings, an array of token ids"
        + " or an array of token id arrays.";
  }
}
