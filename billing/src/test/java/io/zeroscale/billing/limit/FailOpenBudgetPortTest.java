package io.zeroscale.billing.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.activator.core.BudgetPort;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The spend limit's fail-open rule: billing down (a reservation errors) must not stop the cold
 * starts of tenants without a limit, and must not lift the limit of tenants with one; both the
 * fail-open boots and the refusals are counted ({@link CountedBudgetPort}).
 */
class FailOpenBudgetPortTest {

  static final String LIMITED = "00000000-0000-0000-0000-0000000000aa";
  static final String FREE = "00000000-0000-0000-0000-0000000000bb";
  static final String DEP = "00000000-0000-0000-0000-0000000000d1";

  /** A hand-made port whose reservations answer what the test says. */
  static final class FakePort implements BudgetPort {
    Mono<Answer> answer = Mono.just(Answer.OK);
    int calls;

    @Override
    public Mono<Answer> reserve(
        String tenantId, String deploymentId, String instanceId, String gpu, int numGpus) {
      calls++;
      return answer;
    }

    @Override
    public Optional<String> exhausted(String tenantId) {
      return LIMITED.equals(tenantId) ? Optional.of("spend limit reached") : Optional.empty();
    }
  }

  private final FakePort billing = new FakePort();
  private final AtomicInteger failedOpen = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final BudgetPort port =
      new CountedBudgetPort(
          new FailOpenBudgetPort(billing, Set.of(LIMITED)::contains, failedOpen::incrementAndGet),
          refused::incrementAndGet);

  private Mono<BudgetPort.Answer> reserve(String tenant) {
    return port.reserve(tenant, DEP, "i-1", "A100-80GB", 1);
  }

  @Test
  void billingDownATenantWithoutAKnownLimitBoots() {
    billing.answer = Mono.error(new IllegalStateException("connection refused"));
    StepVerifier.create(reserve(FREE)).expectNext(BudgetPort.Answer.OK).verifyComplete();
    assertThat(failedOpen).as("counted as fail-open").hasValue(1);
    assertThat(refused).hasValue(0);
  }

  @Test
  void billingDownATenantWithAKnownLimitWaits() {
    billing.answer = Mono.error(new IllegalStateException("connection refused"));
    StepVerifier.create(reserve(LIMITED)).expectErrorMessage("connection refused").verify();
    assertThat(failedOpen).hasValue(0);
    assertThat(refused).as("not a refusal: retried next pass").hasValue(0);
  }

  @Test
  void billingsAnswersPassThrough() {
    billing.answer = Mono.just(BudgetPort.Answer.refused("spend limit reached: $0.00 left"));
    StepVerifier.create(reserve(FREE))
        .expectNext(BudgetPort.Answer.refused("spend limit reached: $0.00 left"))
        .verifyComplete();
    billing.answer = Mono.just(BudgetPort.Answer.OK);
    StepVerifier.create(reserve(LIMITED)).expectNext(BudgetPort.Answer.OK).verifyComplete();
    assertThat(billing.calls).isEqualTo(2);
    assertThat(refused).as("the one refusal is counted").hasValue(1);
    assertThat(failedOpen).hasValue(0);
  }

  @Test
  void exhaustedIsBillingsAnswer() {
    assertThat(port.exhausted(LIMITED)).contains("spend limit reached");
    assertThat(port.exhausted(FREE)).isEmpty();
  }
}
