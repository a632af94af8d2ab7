package io.zeroscale.gateway.model;

import io.zeroscale.gateway.model.hub.HubLookup;

/**
 * What a hub lookup means for a library model: its status and what it learnt. The one place where
 * {@link HubLookup} becomes a status (SPEC §3).
 */
public record ImportOutcome(
    ModelStatus status,
    String error,
    String sha,
    String architecture,
    String modelType,
    Long weightBytes,
    Long parameterCount) {

  /** Before the lookup: importing, nothing learnt yet. */
  static final ImportOutcome IMPORTING =
      new ImportOutcome(ModelStatus.IMPORTING, null, null, null, null, null, null);

  public static ImportOutcome of(HubLookup lookup) {
    return switch (lookup) {
      case HubLookup.Found f ->
          new ImportOutcome(
              ModelStatus.READY,
              null,
              f.sha(),
              f.architecture(),
              f.modelType(),
              f.weightBytes(),
              f.parameterCount());
      case HubLookup.NotFound n -> failed(n.reason());
      case HubLookup.Denied d ->
          failed(
              d.reason()
                  + " (for a gated or private repo, import it again with an hf_token that has"
                  + " access)");
      case HubLookup.NoWeights w -> failed(w.reason());
      case HubLookup.Unreachable u ->
          new ImportOutcome(
              ModelStatus.UNVERIFIED, unverifiedMessage(u.reason()), null, null, null, null, null);
    };
  }

  /**
   * {@link #of} for an S3 lookup ({@link io.zeroscale.gateway.model.s3.S3Client}): the same
   * statuses, with the reasons in S3's words.
   */
  public static ImportOutcome ofS3(HubLookup lookup) {
    return switch (lookup) {
      case HubLookup.Denied d ->
          failed(d.reason() + " (import it again with s3_credentials that can read it)");
      case HubLookup.Unreachable u ->
          new ImportOutcome(
              ModelStatus.UNVERIFIED,
              "The S3 store could not be read ("
                  + u.reason()
                  + "): the model is usable, but its architecture and size are unknown and its fit"
                  + " on GPUs was not checked.",
              null,
              null,
              null,
              null,
              null);
      default -> of(lookup);
    };
  }

  /** The error of an unverified model, also the warning its deployments carry. */
  public static String unverifiedMessage(String reason) {
    return "The Hugging Face hub could not be reached ("
        + reason
        + "): the model is usable, but its architecture and size are unknown and its fit on"
        + " GPUs was not checked.";
  }

  /** A failed import, with what to tell the tenant. */
  static ImportOutcome failed(String reason) {
    return new ImportOutcome(ModelStatus.FAILED, reason, null, null, null, null, null);
  }
}
