package io.zeroscale.sim.openai;

/** The request body is wrong: answered 400 with the offending field as {@code param}. */
public final class InvalidRequestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String param;

  public InvalidRequestException(String param, String message) {
    super(message, null, false, false);
    this.param = param;
  }

  /** The field at fault, or null when the whole body is. */
  public String param() {
    return param;
  }
}
