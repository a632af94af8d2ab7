package io.zeroscale.gateway.auth;

import java.time.Duration;

/** The outcome of presenting a secret: a principal, or why not (a value, not an exception). */
public sealed interface AuthResult {

  /** No key at all (not counted as a failed attempt: it guesses nothing and costs no lookup). */
  Rejected MISSING_KEY =
      new Rejected("Missing API key. Send it as 'Authorization: Bearer <key>'.", "missing_api_key");

  /** A key that is not ours, or that the store does not know. */
  Rejected INVALID_KEY = new Rejected("Incorrect API key provided.", "invalid_api_key");

  record Authenticated(Principal principal) implements AuthResult {}

  /**
   * @param message what the client is told
   * @param code OpenAI-style error code, e.g. {@code invalid_api_key}
   */
  record Rejected(String message, String code) implements AuthResult {}

  /**
   * The client's address failed too often lately (see {@link FailedAuthThrottle}); nothing was
   * looked up (429).
   *
   * @param retryAfter until the address may try again
   */
  record Throttled(Duration retryAfter) implements AuthResult {

    /** For {@code Retry-After}: whole seconds, rounded up, at least 1 (400 ms → 1). */
    public long retryAfterSeconds() {
      long s = retryAfter.toSeconds();
      return Math.max(1, retryAfter.equals(Duration.ofSeconds(s)) ? s : s + 1);
    }
  }

  /** The key store could not answer and nothing is cached for this key: fail closed (503). */
  record Unavailable(String message) implements AuthResult {}
}
