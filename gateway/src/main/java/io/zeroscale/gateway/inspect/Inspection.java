package io.zeroscale.gateway.inspect;

import io.zeroscale.gateway.error.OpenAiError;

/**
 * What routing learned from a request body: the model and whether the client asked for a stream, or
 * the 400 to answer instead (the body is then never forwarded).
 */
public sealed interface Inspection {

  /**
   * A body that may be forwarded.
   *
   * @param model the {@code model} field as sent: a {@code model_name} or a full name {@code
   *     <tenant>/<model_name>}; never empty
   * @param stream the {@code stream} field; false when absent or null
   */
  record Ok(String model, boolean stream) implements Inspection {
    public Ok {
      if (model == null || model.isEmpty()) {
        throw new IllegalArgumentException("model must be a non-empty string, got " + model);
      }
    }
  }

  /** A body that must not be forwarded, with the error to answer. */
  record Rejected(OpenAiError error) implements Inspection {
    public Rejected {
      if (error == null) {
        throw new IllegalArgumentException("error must not be null");
      }
    }
  }
}
