package io.zeroscale.sim.openai;

import io.zeroscale.sim.generate.Hashing;
import io.zeroscale.sim.generate.TextGenerator;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A validated {@code POST /v1/audio/transcriptions} request (multipart/form-data).
 *
 * @param model the requested model
 * @param audioBytes size of the uploaded file (its duration is derived from it)
 * @param audioHash hash of the file bytes (seeds the text)
 * @param format json, text or verbose_json
 * @param language the {@code language} field, {@code en} when absent
 * @param stream answer with server-sent events
 */
public record TranscriptionRequest(
    String model, int audioBytes, long audioHash, Format format, String language, boolean stream) {

  /** Bytes per second of 16 kHz 16-bit mono PCM, the simulator's notion of audio duration. */
  static final int BYTES_PER_SECOND = 32_000;

  /** Audio tokens per second of audio (input_tokens of the usage block). */
  static final int AUDIO_TOKENS_PER_SECOND = 10;

  /** The supported {@code response_format} values. */
  public enum Format {
    JSON,
    TEXT,
    VERBOSE_JSON
  }

  /** Parses the form fields; the {@code file} part is required. */
  public static TranscriptionRequest parse(Map<String, FormPart> parts) {
    FormPart file = parts.get("file");
    if (file == null || !file.isFile()) {
      throw new InvalidRequestException("file", "Missing required parameter: 'file'.");
    }
    if (file.content().length == 0) {
      throw new InvalidRequestException("file", "The uploaded 'file' is empty.");
    }
    FormPart modelPart = parts.get("model");
    if (modelPart == null || modelPart.text().isBlank()) {
      throw new InvalidRequestException("model", "Missing required parameter: 'model'.");
    }
    String formatText = field(parts, "response_format", "json");
    Format format =
        switch (formatText) {
          case "json" -> Format.JSON;
          case "text" -> Format.TEXT;
          case "verbose_json" -> Format.VERBOSE_JSON;
          default ->
              throw new InvalidRequestException(
                  "response_format",
                  "'response_format' must be json, text or verbose_json, got '"
                      + formatText
                      + "'.");
        };
    String streamText = field(parts, "stream", "false").toLowerCase(Locale.ROOT);
    if (!streamText.equals("true") && !streamText.equals("false")) {
      throw new InvalidRequestException("stream", "'stream' must be true or false.");
    }
    return new TranscriptionRequest(
        modelPart.text().trim(),
        file.content().length,
        Hashing.of(file.content()),
        format,
        field(parts, "language", "en"),
        streamText.equals("true"));
  }

  private static String field(Map<String, FormPart> parts, String name, String fallback) {
    FormPart part = parts.get(name);
    return part == null || part.text().isBlank() ? fallback : part.text().trim();
  }

  /** Output words, seeded by the audio bytes. */
  public String[] tokens() {
    return TextGenerator.tokens(audioHash, TextGenerator.defaultLength(audioHash));
  }

  /** Seconds of audio, as if the upload were 16 kHz 16-bit mono PCM; two decimals. */
  public double durationSeconds() {
    return Math.max(0.01, Math.round(audioBytes * 100.0 / BYTES_PER_SECOND) / 100.0);
  }

  public int inputTokens() {
    return Math.max(1, (int) Math.ceil(durationSeconds() * AUDIO_TOKENS_PER_SECOND));
  }

  /** The non-streaming body and its content type. */
  public Body response(String[] tokens) {
    String text = TextGenerator.text(tokens);
    return switch (format) {
      case TEXT -> new Body("text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
      case JSON -> {
        ObjectNode root = Json.object();
        root.put("text", text);
        tokenUsage(root.putObject("usage"), tokens.length);
        yield new Body("application/json", Json.bytes(root));
      }
      case VERBOSE_JSON -> {
        ObjectNode root = Json.object();
        root.put("task", "transcribe");
        root.put("language", language);
        root.put("duration", durationSeconds());
        root.put("text", text);
        ObjectNode segment = root.putArray("segments").addObject();
        segment.put("id", 0);
        segment.put("seek", 0);
        segment.put("start", 0.0);
        segment.put("end", durationSeconds());
        segment.put("text", text);
        ArrayNode ids = segment.putArray("tokens");
        for (int i = 0; i < tokens.length; i++) {
          ids.add(50_000 + i);
        }
        segment.put("temperature", 0.0);
        segment.put("avg_logprob", -0.1);
        segment.put("compression_ratio", 1.0);
        segment.put("no_speech_prob", 0.0);
        ObjectNode usage = root.putObject("usage");
        usage.put("type", "duration");
        usage.put("seconds", (int) Math.ceil(durationSeconds()));
        yield new Body("application/json", Json.bytes(root));
      }
    };
  }

  /** One {@code transcript.text.delta} event. */
  public byte[] deltaEvent(String token) {
    ObjectNode event = Json.object();
    event.put("type", "transcript.text.delta");
    event.put("delta", token);
    return ("data: " + Json.string(event) + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  /** The {@code transcript.text.done} event followed by {@code [DONE]}. */
  public byte[] doneEvents(String[] tokens) {
    ObjectNode event = Json.object();
    event.put("type", "transcript.text.done");
    event.put("text", TextGenerator.text(tokens));
    tokenUsage(event.putObject("usage"), tokens.length);
    return ("data: " + Json.string(event) + "\n\ndata: [DONE]\n\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private void tokenUsage(ObjectNode usage, int outputTokens) {
    usage.put("type", "tokens");
    usage.put("input_tokens", inputTokens());
    usage.put("output_tokens", outputTokens);
    usage.put("total_tokens", inputTokens() + outputTokens);
  }

  /**
   * A response body with its content type.
   *
   * @param contentType the Content-Type header
   * @param bytes the body
   */
  public record Body(String contentType, byte[] bytes) {}
}
