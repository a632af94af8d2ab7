package io.zeroscale.sim.engine;

/** {@code --failure-injection-rate} picked this request to fail: answer 500. */
public final class InjectedFailureException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InjectedFailureException() {
    // No stack trace: an expected outcome, thrown on every unlucky request.
    super("Injected failure", null, false, false);
  }
}
