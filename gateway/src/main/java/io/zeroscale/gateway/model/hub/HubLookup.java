package io.zeroscale.gateway.model.hub;

import java.util.Objects;

/**
 * The outcome of reading a model's metadata from the hub. Every outcome is a value, so that the
 * import decides its status in one place:
 *
 * <ul>
 *   <li>{@link Found}: the import goes on and the model's fit is checked ({@link ModelFit});
 *   <li>{@link NotFound}, {@link Denied}, {@link NoWeights}: the import ends {@code failed} with
 *       {@link #reason()} as its error;
 *   <li>{@link Unreachable}: the import ends {@code unverified}, usable but with its fit unchecked
 *       (SPEC §3): a hub outage must not block imports of models the engine can still download.
 * </ul>
 */
public sealed interface HubLookup {

  /** A short, user-facing explanation; never contains the HF token. */
  String reason();

  /**
   * The repo exists at the revision, with safetensors weights of a known size.
   *
   * @param repo {@code owner/name} as requested
   * @param revision the revision as requested, e.g. {@code main}
   * @param sha the commit the revision resolved to; null if the hub did not say
   * @param architecture {@code config.architectures[0]}, e.g. {@code LlamaForCausalLM}; nullable
   * @param modelType {@code config.model_type}, e.g. {@code llama}; nullable
   * @param weightBytes bytes of weights, positive (see {@link HubClient} for where it comes from)
   * @param parameterCount {@code safetensors.total}; nullable
   */
  record Found(
      String repo,
      String revision,
      String sha,
      String architecture,
      String modelType,
      long weightBytes,
      Long parameterCount)
      implements HubLookup {

    public Found {
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(revision, "revision");
      if (weightBytes <= 0) {
        throw new IllegalArgumentException("weightBytes must be positive, got " + weightBytes);
      }
    }

    @Override
    public String reason() {
      return "found " + repo + "@" + revision + " with " + weightBytes + " bytes of weights";
    }
  }

  /** The hub answered 404: the repo or the revision does not exist. */
  record NotFound(String reason) implements HubLookup {}

  /** The hub answered 401/403: a private or gated repo, or a missing or refused HF token. */
  record Denied(String reason) implements HubLookup {}

  /** No usable answer: refused connection, DNS failure, timeout, 5xx, 429 or unparseable body. */
  record Unreachable(String reason) implements HubLookup {}

  /** The repo exists but has no safetensors weights whose size can be learnt. */
  record NoWeights(String reason) implements HubLookup {}
}
