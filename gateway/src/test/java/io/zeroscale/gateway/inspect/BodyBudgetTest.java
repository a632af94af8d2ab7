package io.zeroscale.gateway.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BodyBudgetTest {

  private final BodyBudget budget = new BodyBudget(new BodyBudget.Limits(10_000, 4_000, 100));

  @Test
  void eachRequestCountsItsBytesAndAtLeastTheMinimum() {
    BodyBudget.Reservation empty = budget.open("a");
    assertThat(empty.ensure(0)).isNull();
    assertThat(empty.bytes()).isEqualTo(100);
    BodyBudget.Reservation big = budget.open("a");
    assertThat(big.ensure(1_500)).isNull();
    assertThat(budget.used("a")).isEqualTo(1_600);
    assertThat(budget.used()).isEqualTo(1_600);

    assertThat(big.ensure(1_000)).as("never shrinks").isNull();
    assertThat(big.bytes()).isEqualTo(1_500);
    big.release();
    big.release();
    assertThat(budget.used()).as("released once").isEqualTo(100);
    empty.release();
    assertThat(budget.used()).isZero();
    assertThat(budget.used("a")).isZero();
  }

  @Test
  void aTenantIsRefusedAtItsBudgetAndOthersGoOn() {
    BodyBudget.Reservation first = budget.open("a");
    assertThat(first.ensure(3_000)).isNull();
    BodyBudget.Reservation second = budget.open("a");
    assertThat(second.ensure(1_001)).isEqualTo(BodyBudget.Scope.TENANT);
    assertThat(second.bytes()).as("nothing kept of a refusal").isZero();
    assertThat(budget.used()).isEqualTo(3_000);
    assertThat(second.ensure(1_000)).isNull();
    assertThat(budget.open("b").ensure(4_000)).isNull();
    first.release();
    assertThat(budget.open("a").ensure(3_000)).as("room again once released").isNull();
  }

  @Test
  void theGatewayBudgetBindsAllTenantsTogether() {
    for (String t : List.of("a", "b")) {
      assertThat(budget.open(t).ensure(4_000)).isNull();
    }
    assertThat(budget.open("c").ensure(2_001)).isEqualTo(BodyBudget.Scope.GATEWAY);
    assertThat(budget.used("c")).isZero();
    assertThat(budget.used()).isEqualTo(8_000);
    assertThat(budget.open("c").ensure(2_000)).isNull();
  }

  @Test
  void aGrowingReservationIsRefusedWhereItWouldPassTheBudget() {
    BodyBudget.Reservation r = budget.open("a");
    assertThat(r.ensure(2_000)).isNull();
    assertThat(r.ensure(4_001)).isEqualTo(BodyBudget.Scope.TENANT);
    assertThat(r.bytes()).isEqualTo(2_000);
    assertThat(budget.used("a")).isEqualTo(2_000);
  }

  @Test
  void aReleasedReservationNeverHoldsAgain() {
    BodyBudget.Reservation r = budget.open("a");
    r.ensure(500);
    r.release();
    assertThat(r.ensure(700)).isNull();
    assertThat(r.bytes()).isZero();
    assertThat(budget.used()).isZero();
  }

  @Test
  void concurrentReservationsAndReleasesBalanceToZero() throws Exception {
    BodyBudget shared = new BodyBudget(new BodyBudget.Limits(1_000_000, 500_000, 1));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    List<java.util.concurrent.Future<Integer>> refused = new ArrayList<>();
    try {
      for (int w = 0; w < 4; w++) {
        String tenant = "t" + (w % 2);
        refused.add(
            pool.submit(
                () -> {
                  start.await();
                  int no = 0;
                  for (int i = 0; i < 20_000; i++) {
                    BodyBudget.Reservation r = shared.open(tenant);
                    if (r.ensure(1 + i % 97) != null || r.ensure(50 + i % 400) != null) {
                      no++;
                    }
                    r.release();
                  }
                  return no;
                }));
      }
      start.countDown();
      for (var f : refused) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(shared.used()).isZero();
    assertThat(shared.used("t0")).isZero();
    assertThat(shared.used("t1")).isZero();
  }

  @Test
  void limitsAreValidated() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new BodyBudget.Limits(0, 0, 0))
        .withMessageContaining("zeroscale.gateway.body-budget.gateway-bytes");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new BodyBudget.Limits(10, 11, 0))
        .withMessageContaining("tenant-bytes");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new BodyBudget.Limits(10, 10, 11))
        .withMessageContaining("minimum-bytes");
    assertThat(BodyBudget.Limits.defaults().gatewayBytes()).isEqualTo(268_435_456L);
  }

  @Test
  void theRefusalIsA429WithTheOpenAiShape() {
    var e = BodyBudget.refusal(BodyBudget.Scope.TENANT);
    assertThat(e.status()).isEqualTo(429);
    assertThat(e.type()).isEqualTo("rate_limit_error");
    assertThat(e.code()).isEqualTo("too_many_request_bytes");
    assertThat(e.message()).contains("organization");
  }
}
