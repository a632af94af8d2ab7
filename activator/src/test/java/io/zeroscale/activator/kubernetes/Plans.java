package io.zeroscale.activator.kubernetes;

import io.zeroscale.activator.runtime.InstancePlan;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import java.math.BigDecimal;

/** Deployments and plans for the runtime's tests. */
final class Plans {

  static final String DEPLOYMENT_ID = "7f3c1a52-0c5e-4d8e-9d3a-2b1f6c0e9a41";
  static final String TENANT_ID = "0b8f5a9e-3f41-4c7d-8a62-5d1e2f3a4b5c";

  private Plans() {}

  static DeploymentSpec deployment(Family family, String gpu, int numGpus, int activationTimeoutS) {
    return deployment(family, gpu, numGpus, activationTimeoutS, 1, EngineOptions.NONE);
  }

  static DeploymentSpec deployment(
      Family family,
      String gpu,
      int numGpus,
      int activationTimeoutS,
      int revision,
      EngineOptions engine) {
    return new DeploymentSpec(
        DEPLOYMENT_ID,
        TENANT_ID,
        "acme",
        "llama-8b",
        family,
        "hf://meta-llama/Llama-3.1-8B-Instruct@0e9e39f",
        gpu,
        numGpus,
        64,
        new ScalingSettings(0, 2, 300, activationTimeoutS, 1000, 0.7, 60, true),
        DeploymentStatus.DEPLOYING,
        null,
        3,
        revision,
        engine,
        1);
  }

  /** Every engine option set, as a tenant could ask for them. */
  static final EngineOptions ENGINE =
      new EngineOptions(
          8192,
          new BigDecimal("0.85"),
          false,
          new EngineOptions.Speculative("hf://org/draft@abc1234", 4),
          "hermes",
          "qwen3",
          "bfloat16",
          "awq");

  /** An H100 × 2 instance of revision {@code revision} with {@link #ENGINE}, no key. */
  static InstancePlan withEngine(String instanceId, int revision) {
    return new InstancePlan(
        instanceId, deployment(Family.LLM, "H100-80GB", 2, 900, revision, ENGINE));
  }

  /** A recognizable engine key and tenant token: tests scan pod specs for them. */
  static final String ENGINE_KEY = "zse_engine-key-of-the-test-0123456789abcdefghijk";

  static final String TENANT_TOKEN = "hf_tenantTokenOfTheTest0123456789";

  /** An H100 × 2 instance with its engine key and the tenant's own token. */
  static InstancePlan withTenantToken(String instanceId) {
    return new InstancePlan(
        instanceId, deployment(Family.LLM, "H100-80GB", 2, 900), ENGINE_KEY, TENANT_TOKEN, false);
  }

  /** An H100 × 2 instance with its engine key, allowed the platform's token. */
  static InstancePlan withPlatformToken(String instanceId) {
    return new InstancePlan(
        instanceId, deployment(Family.LLM, "H100-80GB", 2, 900), ENGINE_KEY, null, true);
  }

  static InstancePlan h100x2(String instanceId) {
    return new InstancePlan(instanceId, deployment(Family.LLM, "H100-80GB", 2, 900));
  }
}
