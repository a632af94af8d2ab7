package io.zeroscale.gateway.observe;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/** Finds an OpenAI {@code usage} object in response bytes, for {@link UsageSniffer}. */
final class UsageJson {

  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final byte[] KEY = "\"usage\"".getBytes(StandardCharsets.US_ASCII);

  private UsageJson() {}

  /**
   * The top-level {@code usage} of the JSON object in {@code [off, off + len)}; empty when there is
   * none, it is null or has no token counts, or the bytes are not a JSON object. A document cut
   * short after its usage still yields it.
   */
  static Optional<Usage> fromDocument(byte[] b, int off, int len) {
    Optional<Usage> found = Optional.empty();
    try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), b, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return found;
      }
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (t == JsonToken.START_OBJECT && name.equals("usage")) {
          found = readUsage(p);
        } else {
          p.skipChildren();
        }
      }
    } catch (JacksonException e) {
      return found;
    }
    return found;
  }

  /**
   * The last {@code "usage": {...}} in {@code [off, off + len)}, a window cut from the end of a
   * document too large to keep whole. Without the start of the document the depth of a key is
   * unknown; the last one is taken because every known engine writes the top-level usage after the
   * choices or data (vLLM: {@code id, object, created, model, data, usage}), and no known response
   * nests another object named usage.
   */
  static Optional<Usage> fromTail(byte[] b, int off, int len) {
    int end = off + len;
    int before = end;
    while (true) {
      int key = lastUsageKey(b, off, end, before);
      if (key < 0) {
        return Optional.empty();
      }
      int brace = objectAfterKey(b, key, end);
      try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), b, brace, end - brace)) {
        p.nextToken();
        Optional<Usage> usage = readUsage(p);
        if (usage.isPresent()) {
          return usage;
        }
      } catch (JacksonException ignored) {
        // Not a whole object after all (cut by the window): the one before may be.
      }
      before = key;
    }
  }

  /** Whether {@code [off, off + len)} has a {@code "usage"} key whose value is an object. */
  static boolean mentionsUsageObject(byte[] b, int off, int len) {
    return lastUsageKey(b, off, off + len, off + len) >= 0;
  }

  /**
   * The index of the last key {@code "usage"} whose value is an object, starting before {@code
   * before} in {@code [from, to)}, or -1. A key is recognized by its context: the byte before it
   * (spaces aside) is <code>{</code> or {@code ,}, and {@code :} then <code>{</code> follow. Inside
   * a JSON string every quote is escaped ({@code \"usage\"}), so a word in a text never matches;
   * {@code "usage": null} does not match either.
   */
  static int lastUsageKey(byte[] b, int from, int to, int before) {
    for (int i = Math.min(before - 1, to - KEY.length); i >= from; i--) {
      if (!matchesKey(b, i)) {
        continue;
      }
      int prev = i - 1;
      while (prev >= from && isSpace(b[prev])) {
        prev--;
      }
      if (prev >= from && (b[prev] == '{' || b[prev] == ',') && objectAfterKey(b, i, to) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /** The index of the <code>{</code> that opens the value of the key at {@code key}, or -1. */
  private static int objectAfterKey(byte[] b, int key, int to) {
    int next = key + KEY.length;
    while (next < to && isSpace(b[next])) {
      next++;
    }
    if (next >= to || b[next] != ':') {
      return -1;
    }
    next++;
    while (next < to && isSpace(b[next])) {
      next++;
    }
    return next < to && b[next] == '{' ? next : -1;
  }

  /** Reads a usage object; the parser is on its START_OBJECT and is left on its END_OBJECT. */
  private static Optional<Usage> readUsage(JsonParser p) {
    Long prompt = null;
    Long input = null;
    Long completion = null;
    Long output = null;
    Long total = null;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      Long value = null;
      if (t == JsonToken.VALUE_NUMBER_INT
          && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
          && p.getLongValue() >= 0) {
        value = p.getLongValue();
      }
      switch (name) {
        case "prompt_tokens" -> prompt = value;
        case "input_tokens" -> input = value;
        case "completion_tokens" -> completion = value;
        case "output_tokens" -> output = value;
        case "total_tokens" -> total = value;
        default -> {
          // details such as prompt_tokens_details are not metered
        }
      }
      p.skipChildren();
    }
    return Usage.of(
        prompt != null ? prompt : input, completion != null ? completion : output, total);
  }

  private static boolean matchesKey(byte[] b, int at) {
    for (int k = 0; k < KEY.length; k++) {
      if (b[at + k] != KEY[k]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }
}
