package io.zeroscale.gateway.deployment;

import io.zeroscale.gateway.model.hub.HfSource;

/** What a deployment's {@code model} names: a library model, or a hub repo imported on the way. */
public sealed interface ModelRef {

  /** {@code "model": "<library model id or name>"}. */
  record Library(String ref) implements ModelRef {}

  /**
   * {@code "model": {"hf": {"repo": "...", "revision": "...", "hf_token": "..."}}}.
   *
   * @param hfToken the tenant's token for a private or gated repo, null for none: used for the
   *     lookup and sealed with the imported model, never echoed
   */
  record Hub(HfSource source, String hfToken) implements ModelRef {

    /** Never prints the token. */
    @Override
    public String toString() {
      return "Hub[source="
          + source.uri()
          + ", hfToken="
          + (hfToken == null ? "none" : "<redacted>")
          + "]";
    }
  }
}
