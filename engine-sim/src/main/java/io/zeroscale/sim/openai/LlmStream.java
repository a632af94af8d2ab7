package io.zeroscale.sim.openai;

import java.nio.charset.StandardCharsets;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-sent events of a streaming chat or text completion. Everything but the token text is the
 * same in every chunk of a choice, so each choice's token chunk is serialized once with a marker
 * where the text goes, then split into a prefix and suffix; a token event is then two string
 * appends instead of a JSON tree per token.
 */
public final class LlmStream {

  /** The last event of every OpenAI stream. */
  public static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  private static final String MARKER = "\u0000";
  private static final String ESCAPED_MARKER = "\\u0000";

  private final boolean chat;
  private final String id;
  private final long created;
  private final String model;
  private final Generation generation;
  private final boolean includeUsage;
  private final String[] tokenPrefix;
  private final String[] tokenSuffix;

  /**
   * @param chat {@code chat.completion.chunk} events when true, {@code text_completion} else
   */
  public LlmStream(
      boolean chat,
      String id,
      long created,
      String model,
      Generation generation,
      boolean includeUsage) {
    this.chat = chat;
    this.id = id;
    this.created = created;
    this.model = model;
    this.generation = generation;
    this.includeUsage = includeUsage;
    int choices = generation.choices().size();
    this.tokenPrefix = new String[choices];
    this.tokenSuffix = new String[choices];
    for (int i = 0; i < choices; i++) {
      String template = Json.string(tokenChunk(i, MARKER));
      int at = template.indexOf(ESCAPED_MARKER);
      tokenPrefix[i] = "data: " + template.substring(0, at);
      tokenSuffix[i] = template.substring(at + ESCAPED_MARKER.length()) + "\n\n";
    }
  }

  /**
   * The events of decode step {@code step}: for each choice that still has tokens, its token
   * (preceded by the role chunk on step 0 for chat) and, on its last token, its finish chunk.
   */
  public byte[] step(int step) {
    StringBuilder sb = new StringBuilder(256);
    for (Generation.Choice c : generation.choices()) {
      String[] tokens = c.tokens();
      if (step >= tokens.length) {
        continue;
      }
      if (step == 0 && chat) {
        event(sb, roleChunk(c.index()));
      }
      sb.append(tokenPrefix[c.index()]);
      Json.appendEscaped(sb, tokens[step]);
      sb.append(tokenSuffix[c.index()]);
      if (step == tokens.length - 1) {
        event(sb, finishChunk(c));
      }
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** After the last step: the usage chunk (when asked for) and {@code [DONE]}. */
  public byte[] trailer() {
    StringBuilder sb = new StringBuilder(256);
    if (includeUsage) {
      ObjectNode chunk = head();
      chunk.putArray("choices");
      LlmResponses.usage(chunk.putObject("usage"), generation);
      event(sb, chunk);
    }
    sb.append("data: [DONE]\n\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private ObjectNode tokenChunk(int index, String text) {
    ObjectNode chunk = head();
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", index);
    if (chat) {
      choice.putObject("delta").put("content", text);
    } else {
      choice.put("text", text);
    }
    choice.putNull("logprobs");
    choice.putNull("finish_reason");
    usageNull(chunk);
    return chunk;
  }

  private ObjectNode roleChunk(int index) {
    ObjectNode chunk = head();
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", index);
    ObjectNode delta = choice.putObject("delta");
    delta.put("role", "assistant");
    delta.put("content", "");
    choice.putNull("logprobs");
    choice.putNull("finish_reason");
    usageNull(chunk);
    return chunk;
  }

  private ObjectNode finishChunk(Generation.Choice c) {
    ObjectNode chunk = head();
    ArrayNode choices = chunk.putArray("choices");
    ObjectNode choice = choices.addObject();
    choice.put("index", c.index());
    if (chat) {
      choice.putObject("delta");
    } else {
      choice.put("text", "");
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", c.finishReason().wireName());
    usageNull(chunk);
    return chunk;
  }

  private ObjectNode head() {
    return LlmResponses.head(
        id, chat ? "chat.completion.chunk" : "text_completion", created, model);
  }

  /** With include_usage, OpenAI sends {@code "usage": null} on every chunk but the last. */
  private void usageNull(ObjectNode chunk) {
    if (includeUsage) {
      chunk.putNull("usage");
    }
  }

  private static void event(StringBuilder sb, ObjectNode chunk) {
    sb.append("data: ").append(Json.string(chunk)).append("\n\n");
  }
}
