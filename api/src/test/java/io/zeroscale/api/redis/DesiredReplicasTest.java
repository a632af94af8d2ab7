package io.zeroscale.api.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class DesiredReplicasTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Instant AT = Instant.ofEpochMilli(1_764_000_000_123L);

  @Test
  void plainEntryIsWrittenAsTheActivatorAndBillingWroteIt() {
    // RedisActivatorStore.desiredJson / RedisBudgetBoard.scaleToZero before this module owned it.
    assertThat(DesiredReplicas.of(1, "wake-up", AT).write(JSON))
        .isEqualTo("{\"replicas\":1,\"reason\":\"wake-up\",\"at\":1764000000123}");
  }

  @Test
  void autoscalerEntryIsWrittenAsTheAutoscalerWroteIt() {
    var d =
        new DesiredReplicas(
            3,
            "demand 2.5",
            AT,
            new DesiredReplicas.Decision("stable", 2.5, Instant.ofEpochMilli(7)));
    assertThat(d.write(JSON))
        .isEqualTo(
            "{\"replicas\":3,\"reason\":\"demand 2.5\",\"at\":1764000000123,\"mode\":\"stable\","
                + "\"demand\":2.5,\"last_active\":7}");
    var idle =
        new DesiredReplicas(0, "idle", AT, new DesiredReplicas.Decision("stable", 0.0, null));
    assertThat(idle.write(JSON))
        .endsWith("\"mode\":\"stable\",\"demand\":0.0,\"last_active\":null}");
  }

  @Test
  void roundTrips() {
    for (DesiredReplicas d :
        new DesiredReplicas[] {
          DesiredReplicas.of(0, "spend limit", AT),
          new DesiredReplicas(2, "x", AT, new DesiredReplicas.Decision("panic", 12.3, AT)),
          new DesiredReplicas(2, "x", AT, new DesiredReplicas.Decision("stable", 0.0, null))
        }) {
      assertThat(DesiredReplicas.read(JSON, d.write(JSON))).isEqualTo(d);
    }
  }

  @Test
  void todaysPayloadsStillDecodeAndUnknownFieldsAreIgnored() {
    // As the activator's and autoscaler's tests put them in Redis.
    assertThat(DesiredReplicas.read(JSON, "{\"replicas\":0,\"reason\":\"idle\",\"at\":0}"))
        .isEqualTo(DesiredReplicas.of(0, "idle", Instant.EPOCH));
    var withLastActive =
        DesiredReplicas.read(JSON, "{\"replicas\":2,\"reason\":\"x\",\"at\":0,\"last_active\":0}");
    assertThat(withLastActive.replicas()).isEqualTo(2);
    assertThat(withLastActive.decision()).isNull();
    var future =
        DesiredReplicas.read(
            JSON, "{\"replicas\":4,\"new_field\":{\"a\":1},\"mode\":\"panic\",\"demand\":9}");
    assertThat(future.replicas()).isEqualTo(4);
    assertThat(future.reason()).isNull();
    assertThat(future.at()).isNull();
    assertThat(future.decision()).isEqualTo(new DesiredReplicas.Decision("panic", 9, null));
  }

  @Test
  void anEntryWithoutReplicasIsRefused() {
    assertThatThrownBy(() -> DesiredReplicas.read(JSON, "{\"reason\":\"x\"}"))
        .isInstanceOf(RuntimeException.class);
  }
}
