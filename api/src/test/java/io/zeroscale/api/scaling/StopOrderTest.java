package io.zeroscale.api.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopOrderTest {

  private static final Instant NOW = Instant.parse("2026-12-01T10:50:00Z");

  private record I(String id, StopOrder.Stage stage, Instant scheduledAt) {}

  private static I i(String id, StopOrder.Stage stage, int minutesAgo) {
    return new I(id, stage, minutesAgo < 0 ? null : NOW.minus(Duration.ofMinutes(minutesAgo)));
  }

  private static List<String> order(List<I> in) {
    return StopOrder.cheapestFirst(in, I::stage, I::scheduledAt, NOW, StopOrder.PAID_PERIOD)
        .stream()
        .map(I::id)
        .toList();
  }

  @Test
  void prepaidLeftIsTheRestOfTheFirstHourAndNeverNegative() {
    assertThat(StopOrder.prepaidLeft(NOW.minus(Duration.ofMinutes(45)), NOW))
        .isEqualTo(Duration.ofMinutes(15));
    assertThat(StopOrder.prepaidLeft(NOW.minus(Duration.ofMinutes(61)), NOW)).isZero();
    assertThat(StopOrder.prepaidLeft(null, NOW)).isZero();
    assertThat(StopOrder.prepaidLeft(NOW, NOW, Duration.ofMinutes(10)))
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(StopOrder.PAID_PERIOD.toSeconds()).isEqualTo(3600);
  }

  @Test
  void pendingThenPastTheHourThenBootingThenReadyByLeastLeft() {
    List<I> fleet =
        List.of(
            i("ready-40-left", StopOrder.Stage.READY, 20),
            i("ready-10-left", StopOrder.Stage.READY, 50),
            i("booting", StopOrder.Stage.STARTING, 1),
            i("ready-past", StopOrder.Stage.READY, 90),
            i("pending", StopOrder.Stage.PENDING, -1));
    assertThat(order(fleet))
        .containsExactly("pending", "ready-past", "booting", "ready-10-left", "ready-40-left");
  }

  @Test
  void tiesKeepTheGivenOrderAndTheInputIsNotChanged() {
    List<I> fleet =
        List.of(
            i("a", StopOrder.Stage.READY, 120),
            i("b", StopOrder.Stage.READY, 120),
            i("c", StopOrder.Stage.READY, 120));
    assertThat(order(fleet)).containsExactly("a", "b", "c");
    assertThat(order(List.of(fleet.get(2), fleet.get(0)))).containsExactly("c", "a");
  }

  @Test
  void aBootingInstancePastItsHourCountsAsPastTheHour() {
    List<I> fleet =
        List.of(
            i("ready", StopOrder.Stage.READY, 10), i("slow-boot", StopOrder.Stage.STARTING, 70));
    assertThat(order(fleet)).containsExactly("slow-boot", "ready");
  }
}
