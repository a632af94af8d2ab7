package io.zeroscale.gateway.deployment;

import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.gateway.model.Model;
import io.zeroscale.gateway.model.ModelStatus;
import java.time.Instant;
import java.util.UUID;

/** Models and deployments for tests. */
final class Fixtures {

  static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  static final long LLAMA_7B = 13_476_839_424L;
  static final long LLAMA_70B = 137_953_316_864L;

  /** The commit {@code main} resolved to when the deployment's model was imported. */
  static final String SHA = "01c7f73d771dfac7d292323805ebc428287df4f9";

  private Fixtures() {}

  static Model model(String name, ModelStatus status, Long weightBytes) {
    return new Model(
        UUID.randomUUID(),
        UUID.randomUUID(),
        name,
        "hf://o/" + name + "@main",
        "o/" + name,
        "main",
        Family.LLM,
        status,
        status == ModelStatus.FAILED ? "the hub has no repo o/" + name : null,
        null,
        null,
        status == ModelStatus.READY ? SHA : null,
        weightBytes,
        null,
        false,
        T0,
        T0,
        null,
        false);
  }

  static Deployment deployment(ScalingSettings s, DeploymentStatus status) {
    return new Deployment(
        UUID.fromString("00000000-0000-0000-0000-0000000000d1"),
        UUID.fromString("00000000-0000-0000-0000-0000000000a1"),
        "acme",
        UUID.fromString("00000000-0000-0000-0000-0000000000b1"),
        "llama-lib",
        "hf://meta-llama/Llama-2-7b-hf@main",
        SHA,
        "chat",
        Family.LLM,
        "A100-80GB",
        2,
        64,
        s,
        status,
        null,
        null,
        3,
        T0,
        T0.plusSeconds(60),
        null,
        1,
        null,
        1,
        null);
  }
}
