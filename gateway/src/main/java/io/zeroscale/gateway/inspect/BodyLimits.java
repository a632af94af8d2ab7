package io.zeroscale.gateway.inspect;

import io.zeroscale.gateway.error.OpenAiError;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The largest request body the data plane accepts ({@code zeroscale.gateway.body-limits.*}), in
 * bytes. Bodies are read whole before routing (the {@code model} field decides where they go), so
 * the limit also bounds the gateway's memory per request: 200 concurrent chat requests at the 2 MiB
 * default hold at most 400 MiB; audio gets 32 MiB because a 25 MB upload (OpenAI's own limit)
 * travels with its multipart framing.
 *
 * @param defaultBytes every JSON path; default 2 MiB = 2 097 152 bytes
 * @param audioBytes {@code /v1/audio/transcriptions}; default 32 MiB = 33 554 432 bytes
 */
@ConfigurationProperties("zeroscale.gateway.body-limits")
public record BodyLimits(
    @DefaultValue("2097152") long defaultBytes, @DefaultValue("33554432") long audioBytes) {

  /** A body is one {@code byte[]}: Java arrays stop just short of 2 GiB. */
  public static final long MAX_BYTES = Integer.MAX_VALUE - 8;

  public static final long DEFAULT_BYTES = 2L * 1024 * 1024;
  public static final long DEFAULT_AUDIO_BYTES = 32L * 1024 * 1024;

  public BodyLimits {
    check("default-bytes", defaultBytes);
    check("audio-bytes", audioBytes);
  }

  /** The defaults, for tests and for code built without Spring. */
  public static BodyLimits defaults() {
    return new BodyLimits(DEFAULT_BYTES, DEFAULT_AUDIO_BYTES);
  }

  /** The limit for a path: audio uploads get their own. */
  public long limitFor(InferencePath path) {
    return path.multipart() ? audioBytes : defaultBytes;
  }

  /**
   * The 413 for a body known to be {@code bytes} long (from {@code Content-Length}): {@code Request
   * body too large: 3000000 bytes exceed the limit of 2097152 bytes for /v1/embeddings.}
   *
   * @param path the path named in the message; null leaves it out
   */
  public static OpenAiError tooLarge(long bytes, long limit, String path) {
    return error(bytes + " bytes exceed", limit, path);
  }

  /**
   * The 413 for a body without {@code Content-Length} (chunked) that was cut off after {@code
   * bytes} had arrived, so its real size is unknown: {@code Request body too large: at least
   * 2097153 bytes exceed ...}.
   */
  public static OpenAiError tooLargeAtLeast(long bytes, long limit, String path) {
    return error("at least " + bytes + " bytes exceed", limit, path);
  }

  private static OpenAiError error(String size, long limit, String path) {
    return OpenAiError.of(
        413,
        "Request body too large: "
            + size
            + " the limit of "
            + limit
            + " bytes"
            + (path == null ? "" : " for " + path)
            + ".",
        null,
        "request_too_large");
  }

  private static void check(String field, long value) {
    if (value < 1 || value > MAX_BYTES) {
      throw new IllegalArgumentException(
          "zeroscale.gateway.body-limits."
              + field
              + " must be between 1 and "
              + MAX_BYTES
              + " bytes, got "
              + value);
    }
  }
}
