package io.zeroscale.api.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class DeploymentSpecJsonTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** As the control plane publishes it to zs:deployments (field order and status wire string). */
  private static final String TODAY =
      "{\"id\":\"d-1\",\"tenant_id\":\"t-1\",\"tenant\":\"demo\",\"model_name\":\"llama\","
          + "\"full_name\":\"demo/llama\",\"family\":\"llm\","
          + "\"source\":\"hf://meta-llama/Llama-2-7b-hf@main\",\"gpu\":\"A100-80GB\",\"num_gpus\":1,"
          + "\"max_batch_size\":64,\"settings\":{\"min_instances\":0,\"max_instances\":3,"
          + "\"scale_to_zero_after_s\":300,\"activation_timeout_s\":900,"
          + "\"max_queued_requests\":1000,\"target_utilization\":0.7,\"stable_window_s\":60,"
          + "\"billing_aware_scale_down\":true},\"status\":\"scaled_to_zero\",\"reason\":null,"
          + "\"version\":1}";

  private static final DeploymentSpec SPEC =
      new DeploymentSpec(
          "d-1",
          "t-1",
          "demo",
          "llama",
          Family.LLM,
          "hf://meta-llama/Llama-2-7b-hf@main",
          "A100-80GB",
          1,
          64,
          new ScalingSettings(0, 3, 300, 900, 1000, 0.7, 60, true),
          DeploymentStatus.SCALED_TO_ZERO,
          null,
          1,
          1,
          EngineOptions.NONE,
          1);

  @Test
  void todaysPayloadDecodesAndIsWrittenByteForByteAgain() {
    assertThat(DeploymentSpecJson.read(JSON, TODAY)).isEqualTo(SPEC);
    assertThat(DeploymentSpecJson.write(JSON, SPEC)).isEqualTo(TODAY);
  }

  @Test
  void unknownFieldsAreIgnored() {
    String withMore = TODAY.replace("\"version\":1}", "\"version\":1,\"region\":\"eu\"}");
    assertThat(DeploymentSpecJson.read(JSON, withMore)).isEqualTo(SPEC);
  }

  /** Every status goes out as its lower-case wire string and comes back as the same constant. */
  @Test
  void everyStatusRoundTripsAsItsLowerCaseWireString() {
    for (DeploymentStatus status : DeploymentStatus.values()) {
      DeploymentSpec spec = withStatus(status);
      String text = DeploymentSpecJson.write(JSON, spec);
      assertThat(JSON.readTree(text).get("status").asString())
          .isEqualTo(status.name().toLowerCase(Locale.ROOT));
      assertThat(DeploymentSpecJson.read(JSON, text)).isEqualTo(spec);
    }
  }

  /** Payloads written while the status was a plain string read into the enum unchanged. */
  @Test
  void payloadsWrittenWithStringStatusesStillRead() {
    for (String old :
        new String[] {
          "pending", "deploying", "running", "scaled_to_zero", "failed", "deleting", "deleted"
        }) {
      String text = TODAY.replace("\"status\":\"scaled_to_zero\"", "\"status\":\"" + old + "\"");
      DeploymentSpec read = DeploymentSpecJson.read(JSON, text);
      assertThat(read.status().wire()).isEqualTo(old);
      assertThat(read).isEqualTo(withStatus(DeploymentStatus.fromWire(old)));
      assertThat(DeploymentSpecJson.write(JSON, read)).isEqualTo(text);
    }
  }

  private static DeploymentSpec withStatus(DeploymentStatus status) {
    return new DeploymentSpec(
        SPEC.id(),
        SPEC.tenantId(),
        SPEC.tenant(),
        SPEC.modelName(),
        SPEC.family(),
        SPEC.source(),
        SPEC.gpu(),
        SPEC.numGpus(),
        SPEC.maxBatchSize(),
        SPEC.settings(),
        status,
        SPEC.reason(),
        SPEC.version(),
        1,
        EngineOptions.NONE,
        1);
  }
}
