package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.InstanceEndpoint.State;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InstanceDirectoryTest {

  private final AtomicLong nanos = new AtomicLong();
  private final InstanceDirectory dir = new InstanceDirectory(nanos::get);

  private static InstanceEndpoint e(String id, State state, long version) {
    return new InstanceEndpoint(id, "d1", "http://127.0.0.1:1", state, version);
  }

  @Test
  void aStaleSnapshotDoesNotUndoADrainOrBringBackARemovedInstance() {
    dir.apply(e("a", State.READY, 1));
    dir.apply(e("b", State.READY, 1));
    List<InstanceEndpoint> snapshotReadEarlier =
        List.of(e("a", State.READY, 1), e("b", State.READY, 1));
    dir.apply(e("a", State.DRAINING, 2));
    dir.remove("d1", "b");
    dir.replace("d1", snapshotReadEarlier);
    assertThat(dir.of("d1")).containsExactly(e("a", State.DRAINING, 2));
  }

  @Test
  void aSnapshotDoesNotDropAnInstanceJustAnnouncedButDropsItLater() {
    dir.apply(e("a", State.READY, 1));
    dir.replace("d1", List.of());
    assertThat(dir.of("d1")).hasSize(1);
    nanos.addAndGet(InstanceDirectory.TOMBSTONE_NANOS + 1);
    dir.replace("d1", List.of());
    assertThat(dir.of("d1")).isEmpty();
  }

  @Test
  void aNewerVersionWinsAndListenersHearIt() {
    List<String> heard = new java.util.ArrayList<>();
    dir.onChanged(heard::add);
    dir.apply(e("a", State.READY, 2));
    dir.apply(e("a", State.DRAINING, 1));
    assertThat(dir.of("d1")).containsExactly(e("a", State.READY, 2));
    dir.replace("d1", List.of(e("a", State.DRAINING, 3)));
    assertThat(dir.of("d1")).containsExactly(e("a", State.DRAINING, 3));
    assertThat(heard).containsExactly("d1", "d1");
  }
}
