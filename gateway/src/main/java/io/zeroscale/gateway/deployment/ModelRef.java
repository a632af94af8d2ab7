package io.zeroscale.gateway.deployment;

import io.zeroscale.gateway.model.hub.HfSource;

/** What a deployment's {@code model} names: a library model, or a hub repo imported on the way. */
public sealed interface ModelRef {

  /** {@code "model": "<library model id or name>"}. */
  record Library(String ref) implements ModelRef {}

  /** {@code "model": {"hf": {"repo": "...", "revision": "..."}}}. */
  record Hub(HfSource source) implements ModelRef {}
}
