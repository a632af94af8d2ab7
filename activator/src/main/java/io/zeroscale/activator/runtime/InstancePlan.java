package io.zeroscale.activator.runtime;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.redis.S3Access;
import java.util.List;
import java.util.Objects;

/**
 * One instance the activator wants running.
 *
 * @param instanceId unique across the platform; also the runtime's handle on it (pod name suffix,
 *     state file name)
 * @param deployment what it serves: model (with the revision to run, see {@link #repo()}), GPU type
 *     and count, max_batch_size
 * @param engineKey the instance's own engine API key ({@link EngineKeys#generate()}): the engine
 *     must require it (vLLM's {@code VLLM_API_KEY} / {@code --api-key}); only the gateway, which
 *     learns it from the published endpoint, sends it. Runtimes pass it by environment, never on a
 *     command line. Null only for plans made by tests of an open engine.
 * @param hfToken the Hugging Face token this instance may use to download its model (the tenant's
 *     own), or null for none; runtimes pass it as {@code HF_TOKEN} when non-null
 * @param platformToken whether, having no token of the tenant, the instance may download with the
 *     platform's own token (the operator allowed it for unverified imports with {@code
 *     zeroscale.models.platform-token-for-unverified}); never true together with {@code hfToken}.
 *     The process runtime then passes the server's {@code HF_TOKEN}, the Kubernetes runtime
 *     references the platform's token Secret; otherwise an instance gets no token at all
 * @param s3 for a model in S3 ({@code s3://bucket/prefix}, issue #20), the endpoint, region and
 *     tenant's credentials the engine loads it with, passed as {@code AWS_*} variables ({@link
 *     S3Access#environment()}); null for a Hugging Face model
 */
public record InstancePlan(
    String instanceId,
    DeploymentSpec deployment,
    String engineKey,
    String hfToken,
    boolean platformToken,
    S3Access s3) {

  /** vLLM's loader for {@code s3://} models (Run:ai Model Streamer). */
  public static final String S3_LOAD_FORMAT = "runai_streamer";

  /** A plan of a Hugging Face model. */
  public InstancePlan(
      String instanceId,
      DeploymentSpec deployment,
      String engineKey,
      String hfToken,
      boolean platformToken) {
    this(instanceId, deployment, engineKey, hfToken, platformToken, null);
  }

  /**
   * Whether its model is in S3: the engine gets the {@code s3://} URI and {@link #S3_LOAD_FORMAT}.
   */
  public boolean fromS3() {
    return deployment.source().startsWith("s3://");
  }

  public InstancePlan {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(deployment, "deployment");
    if (platformToken && hfToken != null) {
      throw new IllegalArgumentException(
          "a plan has the tenant's token or the platform's, not both");
    }
  }

  /** A plan for an engine without a key or token (tests of an open engine). */
  public InstancePlan(String instanceId, DeploymentSpec deployment) {
    this(instanceId, deployment, null, null, false);
  }

  /**
   * The names the engine answers to: the deployment's {@code model_name} and its full name {@code
   * <tenant>/<model_name>}, since clients may send either and the gateway forwards the body as is.
   */
  public List<String> servedModelNames() {
    return List.of(deployment.modelName(), deployment.fullName());
  }

  /**
   * {@code org/repo} of the deployment's {@code hf://org/repo@revision}; an S3 model's {@code
   * s3://bucket/prefix} as it is (vLLM's model argument).
   */
  public String repo() {
    if (fromS3()) {
      return deployment.source();
    }
    String s = deployment.source().replaceFirst("^hf://", "");
    int at = s.lastIndexOf('@');
    return at > 0 ? s.substring(0, at) : s;
  }

  /**
   * The revision to run: the commit sha the control plane pinned at import (a verified model), or
   * the branch or tag of an unverified one; {@code main} when the source names none.
   */
  public String revision() {
    String s = deployment.source().replaceFirst("^hf://", "");
    int at = s.lastIndexOf('@');
    return at > 0 ? s.substring(at + 1) : "main";
  }

  /** Never shows the key or the token. */
  @Override
  public String toString() {
    return "InstancePlan[instanceId="
        + instanceId
        + ", deployment="
        + deployment.fullName()
        + ", source="
        + deployment.source()
        + ", engineKey="
        + (engineKey == null ? "none" : "***")
        + ", hfToken="
        + (hfToken == null ? (platformToken ? "platform" : "none") : "***")
        + (s3 == null ? "" : ", s3=" + s3)
        + "]";
  }
}
