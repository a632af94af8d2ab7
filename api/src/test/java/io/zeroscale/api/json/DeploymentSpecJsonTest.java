package io.zeroscale.api.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;
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
          "scaled_to_zero",
          null,
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
}
