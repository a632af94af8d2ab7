package io.zeroscale.gateway.auth;

/** The outcome of presenting a secret: a principal, or why not (a value, not an exception). */
public sealed interface AuthResult {

  record Authenticated(Principal principal) implements AuthResult {}

  /**
   * @param message what the client is told
   * @param code OpenAI-style error code, e.g. {@code invalid_api_key}
   */
  record Rejected(String message, String code) implements AuthResult {}

  /** The key store could not answer and nothing is cached for this key: fail closed (503). */
  record Unavailable(String message) implements AuthResult {}
}
