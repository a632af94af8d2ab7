package io.zeroscale.activator.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LifecycleEventTest {

  private static final Instant AT = Instant.parse("2025-03-01T12:00:00Z");

  private static LifecycleEvent event(String instance, LifecycleEvent.Type type, Instant at) {
    return new LifecycleEvent(
        instance, "dep-1", "tenant-1", type, at, "H100-80GB", 2, "process", null);
  }

  @Test
  void theSameTransitionHasTheSameIdWhenEverItIsWritten() {
    LifecycleEvent first = event("i-1", LifecycleEvent.Type.SCHEDULED, AT);
    LifecycleEvent again = event("i-1", LifecycleEvent.Type.SCHEDULED, AT.plusSeconds(42));

    assertThat(again.eventId()).isEqualTo(first.eventId());
    assertThat(first.eventId())
        .isEqualTo(UUID.nameUUIDFromBytes("i-1/scheduled".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void differentTypesOrInstancesHaveDifferentIds() {
    UUID scheduled = event("i-1", LifecycleEvent.Type.SCHEDULED, AT).eventId();

    assertThat(event("i-1", LifecycleEvent.Type.STOPPED, AT).eventId()).isNotEqualTo(scheduled);
    assertThat(event("i-2", LifecycleEvent.Type.SCHEDULED, AT).eventId()).isNotEqualTo(scheduled);
  }

  @Test
  void typesHaveLowercaseWireNames() {
    assertThat(LifecycleEvent.Type.SCHEDULED.wire()).isEqualTo("scheduled");
    assertThat(LifecycleEvent.Type.FAILED.wire()).isEqualTo("failed");
  }
}
