package io.zeroscale.gateway.error;

/**
 * An error meant for the client, carrying the exact status and OpenAI error it answers, and for
 * 429/503 how many seconds to wait before retrying ({@code Retry-After}). Raised only at the edge
 * of a request; domain code returns outcomes as values.
 */
public final class ZeroscaleException extends RuntimeException {

  private final transient OpenAiError error;
  private final long retryAfterSeconds;

  public ZeroscaleException(OpenAiError error) {
    this(error, -1);
  }

  /**
   * @param retryAfterSeconds sent as {@code Retry-After}; negative for none
   */
  public ZeroscaleException(OpenAiError error, long retryAfterSeconds) {
    super(error.message(), null, false, false);
    this.error = error;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public OpenAiError error() {
    return error;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
