package io.zeroscale.gateway.deployment;

import static io.zeroscale.gateway.model.Bodies.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import io.zeroscale.api.json.DeploymentSpecJson;
import io.zeroscale.api.redis.LiveEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class DeploymentTest {

  private final ScalingSettings settings =
      new ScalingSettings(1, 2, 300, 900, 1000, 0.75, 60, true);
  private final Deployment d = Fixtures.deployment(settings, DeploymentStatus.PENDING);

  @Test
  @SuppressWarnings("unchecked")
  void apiJsonShowsTheAutoscalersLatestDecision() {
    assertThat(d.json(new LiveState(2, 1, 1, 0, 7))).containsEntry("autoscaler", null);
    Map<String, Object> json =
        d.json(
            new LiveState(
                2,
                1,
                1,
                0,
                7,
                new LiveState.AutoscalerView(
                    2, "stable: … ⇒ 2", 1_767_225_600_000L, "stable", 12.5)));
    assertThat((Map<String, Object>) json.get("autoscaler"))
        .containsEntry("desired", 2)
        .containsEntry("reason", "stable: … ⇒ 2")
        .containsEntry("mode", "stable")
        .containsEntry("at", "2026-01-01T00:00:00Z")
        .containsEntry("idle_but_paid_s", 12.5);
  }

  @Test
  @SuppressWarnings("unchecked")
  void apiJsonHasTheSpecFields() {
    Map<String, Object> json = d.json(new LiveState(2, 1, 1, 0, 7));
    assertThat(json)
        .containsOnlyKeys(
            "id",
            "object",
            "model_name",
            "full_name",
            "model_id",
            "model",
            "source",
            "family",
            "gpu",
            "num_gpus",
            "max_batch_size",
            "engine",
            "revision",
            "settings",
            "status",
            "reason",
            "warning",
            "instances",
            "rollout",
            "queue_depth",
            "autoscaler",
            "created_at",
            "updated_at")
        .containsEntry("full_name", "acme/chat")
        .containsEntry("status", "pending")
        .containsEntry("family", "llm")
        .containsEntry("num_gpus", 2)
        .containsEntry("queue_depth", 7L)
        .containsEntry("created_at", "2026-03-01T12:00:00Z");
    assertThat((Map<String, Object>) json.get("instances"))
        .containsExactly(
            entry("desired", 2), entry("starting", 1), entry("ready", 1), entry("draining", 0));
    assertThat((Map<String, Object>) json.get("settings")).hasSize(9).containsEntry("max_surge", 1);
    assertThat(json)
        .containsEntry("revision", 1)
        .containsEntry("engine", Map.of())
        .containsEntry("rollout", null);
    assertThat(d.quotaGpus()).isEqualTo(4);
  }

  @Test
  void openAiModelEntry() {
    assertThat(d.openAiModel())
        .containsExactly(
            entry("id", "chat"),
            entry("object", "model"),
            entry("created", Fixtures.T0.getEpochSecond()),
            entry("owned_by", "acme"));
  }

  @Test
  void specJsonIsSnakeCaseAndRoundTrips() {
    DeploymentSpec spec = d.spec();
    assertThat(spec.fullName()).isEqualTo("acme/chat");
    assertThat(spec.status()).isEqualTo(DeploymentStatus.PENDING);
    assertThat(spec.version()).isEqualTo(3);
    String text = DeploymentSpecJson.write(JSON, spec);
    JsonNode n = JSON.readTree(text);
    assertThat(n.get("tenant_id").asString()).isEqualTo(d.tenantId().toString());
    assertThat(n.get("model_name").asString()).isEqualTo("chat");
    assertThat(n.get("full_name").asString()).isEqualTo("acme/chat");
    assertThat(n.get("family").asString()).isEqualTo("llm");
    assertThat(n.get("num_gpus").asInt()).isEqualTo(2);
    assertThat(n.get("settings").get("target_utilization").decimalValue())
        .isEqualByComparingTo("0.75");
    assertThat(n.get("settings").get("billing_aware_scale_down").asBoolean()).isTrue();
    assertThat(DeploymentSpecJson.read(JSON, text)).isEqualTo(spec);
    assertThat(spec.family()).isEqualTo(Family.LLM);
  }

  @Test
  void instancesRunTheCommitRecordedAtImportWhileTheTenantSeesItsSource() {
    assertThat(d.spec().source())
        .isEqualTo("hf://meta-llama/Llama-2-7b-hf@" + Fixtures.SHA)
        .doesNotEndWith("@main");
    assertThat(d.json(LiveState.NONE))
        .containsEntry("source", "hf://meta-llama/Llama-2-7b-hf@main");
  }

  @Test
  void withoutARecordedCommitInstancesRunTheBranch() {
    assertThat(DeploymentRules.pinnedSource("hf://o/m@main", null)).isEqualTo("hf://o/m@main");
    assertThat(DeploymentRules.pinnedSource("hf://o/m@v1.0", "abc123"))
        .isEqualTo("hf://o/m@abc123");
    assertThat(DeploymentRules.pinnedSource("hf://o/m", "abc123")).isEqualTo("hf://o/m@abc123");
  }

  @Test
  void statusTransitions() {
    assertThat(DeploymentStatus.initial(0)).isEqualTo(DeploymentStatus.SCALED_TO_ZERO);
    assertThat(DeploymentStatus.initial(1)).isEqualTo(DeploymentStatus.PENDING);
    LiveState idle = LiveState.NONE;
    LiveState busy = new LiveState(1, 1, 0, 0, 3);
    assertThat(LiveState.afterSettingsChange(DeploymentStatus.SCALED_TO_ZERO, 1, idle))
        .isEqualTo(DeploymentStatus.PENDING);
    assertThat(LiveState.afterSettingsChange(DeploymentStatus.SCALED_TO_ZERO, 0, idle))
        .isEqualTo(DeploymentStatus.SCALED_TO_ZERO);
    assertThat(LiveState.afterSettingsChange(DeploymentStatus.PENDING, 0, idle))
        .isEqualTo(DeploymentStatus.SCALED_TO_ZERO);
    assertThat(LiveState.afterSettingsChange(DeploymentStatus.PENDING, 0, busy))
        .as("a wake-up is in progress")
        .isEqualTo(DeploymentStatus.PENDING);
    assertThat(LiveState.afterSettingsChange(DeploymentStatus.RUNNING, 0, busy))
        .isEqualTo(DeploymentStatus.RUNNING);
    assertThat(DeploymentStatus.fromWire("scaled_to_zero"))
        .isEqualTo(DeploymentStatus.SCALED_TO_ZERO);
  }

  @Test
  @SuppressWarnings("unchecked")
  void duringARolloutTheApiShowsBothRevisionsInstancesAndTheTotalsStay() {
    Deployment rolling = revision(d, 2, null);
    LiveState live =
        new LiveState(
            2,
            1,
            2,
            0,
            0,
            null,
            LiveState.byRevision(
                List.of(
                    new LiveEntry.Instance("i1", LiveEntry.Phase.READY, null, 1),
                    new LiveEntry.Instance("i2", LiveEntry.Phase.READY, null, 1),
                    new LiveEntry.Instance("i3", LiveEntry.Phase.STARTING, null, 2),
                    new LiveEntry.Instance("i4", LiveEntry.Phase.STOPPING, null, 1))));
    Map<String, Object> json = rolling.json(live);
    assertThat((Map<String, Object>) json.get("instances"))
        .containsExactly(
            entry("desired", 2), entry("starting", 1), entry("ready", 2), entry("draining", 0));
    Map<String, Object> rollout = (Map<String, Object>) json.get("rollout");
    assertThat(rollout)
        .containsEntry("from_revision", 1)
        .containsEntry("to_revision", 2)
        .containsEntry(
            "instances",
            Map.of(
                "1", Map.of("starting", 0, "ready", 2, "draining", 0),
                "2", Map.of("starting", 1, "ready", 0, "draining", 0)));
    LiveState done =
        new LiveState(
            2,
            0,
            2,
            0,
            0,
            null,
            LiveState.byRevision(
                List.of(new LiveEntry.Instance("i3", LiveEntry.Phase.READY, null, 2))));
    assertThat(rolling.json(done)).containsEntry("rollout", null);
  }

  @Test
  void theSpecCarriesTheRevisionEngineSurgeAndTheRollbacksReason() {
    EngineOptions engine = new EngineOptions(8192, null, true, null, null, null, "half", null);
    Deployment rolledBack =
        new Deployment(
            d.id(),
            d.tenantId(),
            d.tenantName(),
            d.modelId(),
            d.modelLibraryName(),
            d.modelSource(),
            d.modelSha(),
            d.modelName(),
            d.family(),
            d.gpu(),
            d.numGpus(),
            d.maxBatchSize(),
            d.settings(),
            DeploymentStatus.RUNNING,
            null,
            null,
            9,
            d.createdAt(),
            d.updatedAt(),
            null,
            1,
            engine,
            0,
            "revision 2 failed: exit code 1; serving revision 1");
    DeploymentSpec spec = rolledBack.spec();
    assertThat(spec.revision()).isEqualTo(1);
    assertThat(spec.engine()).isEqualTo(engine);
    assertThat(spec.surge()).isZero();
    assertThat(spec.reason()).isEqualTo("revision 2 failed: exit code 1; serving revision 1");
    assertThat(rolledBack.json(LiveState.NONE))
        .containsEntry("reason", "revision 2 failed: exit code 1; serving revision 1")
        .containsEntry("engine", engine.toMap());
    assertThat(DeploymentSpecJson.read(JSON, DeploymentSpecJson.write(JSON, spec))).isEqualTo(spec);
    Deployment failing = revision(rolledBack, 1, "crash loop");
    assertThat(failing.shownReason()).as("the activator's reason first").isEqualTo("crash loop");
  }

  private static Deployment revision(Deployment d, int revision, String reason) {
    return new Deployment(
        d.id(),
        d.tenantId(),
        d.tenantName(),
        d.modelId(),
        d.modelLibraryName(),
        d.modelSource(),
        d.modelSha(),
        d.modelName(),
        d.family(),
        d.gpu(),
        d.numGpus(),
        d.maxBatchSize(),
        d.settings(),
        d.status(),
        reason,
        d.warning(),
        d.version(),
        d.createdAt(),
        d.updatedAt(),
        d.deletedAt(),
        revision,
        d.engine(),
        d.surge(),
        d.rolloutReason());
  }
}
