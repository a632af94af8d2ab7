package io.zeroscale.gateway.deployment;

import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.hardware.GpuType;
import io.zeroscale.gateway.model.Model;
import io.zeroscale.gateway.model.ModelStatus;
import io.zeroscale.gateway.model.hub.ModelFit;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.OptionalInt;

/** The rules of a deployment that need its model and its tenant (SPEC §3, §8), without I/O. */
public final class DeploymentRules {

  private static final BigDecimal GB = BigDecimal.valueOf(1_000_000_000L);
  private static final BigDecimal HEADROOM = new BigDecimal("1.2");

  private DeploymentRules() {}

  /** A model must be ready or unverified to be deployed. */
  /**
   * A new revision's model must be of the deployment's family: the family decides which data-plane
   * paths call the deployment, and clients of one family do not speak another's API (422 {@code
   * family_mismatch} on {@code model}).
   */
  public static Optional<Violation> sameFamily(Model model, Family family) {
    if (model.family() == family) {
      return Optional.empty();
    }
    return Optional.of(
        new Violation(
            "model",
            "Model '"
                + model.name()
                + "' is of family '"
                + model.family().wire()
                + "', the deployment serves '"
                + family.wire()
                + "': a revision keeps the family; create a new deployment for another one.",
            "family_mismatch"));
  }

  public static Optional<Violation> usable(Model model) {
    return switch (model.status()) {
      case READY, UNVERIFIED -> Optional.empty();
      case IMPORTING ->
          Optional.of(
              new Violation(
                  "model",
                  "Model '"
                      + model.name()
                      + "' is still importing; retry when GET /api/v1/models/"
                      + model.id()
                      + " shows status ready.",
                  "model_importing"));
      case FAILED ->
          Optional.of(
              new Violation(
                  "model",
                  "Model '"
                      + model.name()
                      + "' failed to import and cannot be deployed: "
                      + model.error(),
                  "model_failed"));
    };
  }

  /**
   * Whether the model fits in {@code numGpus} × the GPU's memory (weights × 1.2, SPEC §8), when its
   * size is known. Worked numbers: Llama-2-70B (137.95 GB) needs 165.5 GB; 2 × A100-80GB hold 160
   * GB, so it is refused with a hint to use 4.
   */
  public static Optional<Violation> fit(Model model, GpuType gpu, int numGpus) {
    if (model.status() != ModelStatus.READY || model.weightBytes() == null) {
      return Optional.empty();
    }
    long weights = model.weightBytes();
    if (ModelFit.fits(weights, numGpus, gpu.memoryBytes())) {
      return Optional.empty();
    }
    OptionalInt min = ModelFit.minGpus(weights, gpu.memoryBytes());
    String hint =
        min.isPresent()
            ? "use num_gpus " + min.getAsInt() + " or a GPU type with more memory"
            : "it does not fit even in 8 GPUs of this type; choose a GPU type with more memory";
    return Optional.of(
        new Violation(
            "num_gpus",
            "Model '"
                + model.name()
                + "' needs "
                + gb(BigDecimal.valueOf(weights).multiply(HEADROOM))
                + " GB ("
                + gb(BigDecimal.valueOf(weights))
                + " GB of weights + 20%) but "
                + numGpus
                + " × "
                + gpu.name()
                + " hold "
                + BigDecimal.valueOf(gpu.memoryGb()).multiply(BigDecimal.valueOf(numGpus))
                + " GB; "
                + hint
                + ".",
            "model_does_not_fit"));
  }

  /**
   * The warning a deployment carries when its model is unverified (size unknown, fit not checked)
   * or its instances cannot be pinned to a commit (they run the branch as it is when they boot);
   * empty otherwise.
   */
  public static Optional<String> warning(Model model) {
    if (model.s3()) {
      // S3 has no commits to pin: instances load the objects under the prefix as they are.
      return model.status() == ModelStatus.UNVERIFIED
          ? Optional.of(
              "Model '"
                  + model.name()
                  + "' is unverified (its S3 store could not be read when it was imported): its"
                  + " size is unknown and its fit on the GPUs was not checked.")
          : Optional.empty();
    }
    String unpinned =
        " Its instances run the revision '"
            + model.revision()
            + "' as it is when they boot, not a commit pinned at import.";
    if (model.status() == ModelStatus.UNVERIFIED) {
      return Optional.of(
          "Model '"
              + model.name()
              + "' is unverified (the Hugging Face hub could not be reached when it was"
              + " imported): its size is unknown and its fit on the GPUs was not checked."
              + unpinned);
    }
    if (model.sha() == null) {
      return Optional.of(
          "The Hugging Face hub did not tell the commit of model '"
              + model.name()
              + "' when it was imported."
              + unpinned);
    }
    return Optional.empty();
  }

  /**
   * The source instances run (SPEC §11: the revision sha recorded at import): {@code
   * hf://org/repo@<sha>} when the import recorded the commit, else the library's own source (an
   * unverified import: the branch or tag, and the deployment says so in its {@link
   * #warning(Model)}). Worked example: {@code hf://meta-llama/Llama-2-7b-hf@main} with sha {@code
   * 01c7f73d…} runs {@code hf://meta-llama/Llama-2-7b-hf@01c7f73d…}.
   *
   * @param source the library model's {@code hf://org/repo@revision}
   * @param sha the commit recorded at import, or null
   */
  public static String pinnedSource(String source, String sha) {
    if (sha == null || sha.isBlank()) {
      return source;
    }
    int at = source.lastIndexOf('@');
    String repo = at > "hf://".length() ? source.substring(0, at) : source;
    return repo + "@" + sha;
  }

  /**
   * The tenant GPU quota: Σ over its live deployments of max_instances × num_gpus must stay within
   * {@code quota}. Worked numbers with the default quota 4: deployments using 2 + a new one of
   * max_instances 2 × num_gpus 2 = 6 > 4, refused.
   *
   * @param usedByOthers the sum over the tenant's other live deployments
   */
  public static Optional<Violation> quota(
      int quota, long usedByOthers, int maxInstances, int numGpus) {
    return quota(quota, usedByOthers, maxInstances, numGpus, "settings.max_instances");
  }

  /**
   * {@link #quota(int, long, int, int)} blaming {@code param}: a new revision that doubles {@code
   * num_gpus} is refused on {@code num_gpus}, not on a setting the request did not touch.
   */
  public static Optional<Violation> quota(
      int quota, long usedByOthers, int maxInstances, int numGpus, String param) {
    long wanted = (long) maxInstances * numGpus;
    if (usedByOthers + wanted <= quota) {
      return Optional.empty();
    }
    return Optional.of(
        new Violation(
            param,
            "GPU quota exceeded: this deployment may use up to "
                + maxInstances
                + " × "
                + numGpus
                + " = "
                + wanted
                + " GPUs (max_instances × num_gpus) and your other deployments up to "
                + usedByOthers
                + ", over your quota of "
                + quota
                + " GPUs. Lower settings.max_instances, delete a deployment, or ask an admin to"
                + " raise the quota.",
            "quota_exceeded"));
  }

  /**
   * GPUs per instance the quota counts for a deployment: while a rollout is open both revisions'
   * instances run, and a failed rollout returns to the active revision, so the larger of the
   * current revision's {@code num_gpus} and the active one's (0 when there is none). Worked
   * numbers: active 1 × 8 GPUs, rolling out to 1 GPU: the quota counts 8 per instance, so
   * max_instances 8 is 64 GPUs, not 8.
   */
  public static int quotaNumGpus(int currentNumGpus, int activeNumGpus) {
    return Math.max(currentNumGpus, activeNumGpus);
  }

  /**
   * The settings an automatic rollback keeps when the restored revision's {@code num_gpus} no
   * longer fits the quota with the current {@code max_instances} (the quota was lowered, or the
   * settings changed during the rollout): max_instances lowered to what fits, never below 1 (the
   * instance that serves exists), and min_instances to at most that; empty when they fit. Worked
   * numbers: quota 4, others 0, max_instances 2 × 4 GPUs = 8: lowered to 1 (4 GPUs).
   */
  public static Optional<ScalingSettings> withinQuota(
      int quota, long usedByOthers, ScalingSettings s, int numGpus) {
    if (usedByOthers + (long) s.maxInstances() * numGpus <= quota) {
      return Optional.empty();
    }
    long room = quota - usedByOthers;
    int max = (int) Math.max(1, Math.min(s.maxInstances(), room <= 0 ? 0 : room / numGpus));
    return Optional.of(
        new ScalingSettings(
            Math.min(s.minInstances(), max),
            max,
            s.scaleToZeroAfterS(),
            s.activationTimeoutS(),
            s.maxQueuedRequests(),
            s.targetUtilization(),
            s.stableWindowS(),
            s.billingAwareScaleDown(),
            s.maxSurge()));
  }

  private static String gb(BigDecimal bytes) {
    return bytes.divide(GB, 2, RoundingMode.HALF_UP).toPlainString();
  }

  /**
   * The surge a rollout may use: {@code settings.max_surge}, lowered to what the quota leaves once
   * {@code max_instances × num_gpus} of this deployment and {@code usedByOthers} are counted, never
   * below 0 (then the activator replaces one instance at a time). Worked numbers: quota 8, others
   * 2, max_instances 2 × num_gpus 2 = 4: room 2 GPUs = 1 instance, so max_surge 3 gives surge 1;
   * with others at 4 there is no room and surge is 0.
   */
  public static int surge(
      int quota, long usedByOthers, int maxInstances, int numGpus, int maxSurge) {
    long room = quota - usedByOthers - (long) maxInstances * numGpus;
    long instances = room <= 0 ? 0 : room / numGpus;
    return (int) Math.max(0, Math.min(maxSurge, instances));
  }
}
