package io.zeroscale.gateway.error;

/**
 * An error meant for the client, carrying the exact status and OpenAI error it answers. Raised only
 * at the edge of a request; domain code returns outcomes as values.
 */
public final class ZeroscaleException extends RuntimeException {

  private final transient OpenAiError error;

  public ZeroscaleException(OpenAiError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public OpenAiError error() {
    return error;
  }
}
