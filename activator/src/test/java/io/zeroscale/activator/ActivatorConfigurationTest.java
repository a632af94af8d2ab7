package io.zeroscale.activator;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.activator.core.BudgetPort;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** Without billing's budget port the activator allows every boot, and does so out loud. */
class ActivatorConfigurationTest {

  @Test
  void theHostsBudgetPortIsUsed() {
    BudgetPort billing = (t, d, i, g, n) -> Mono.just(BudgetPort.Answer.refused("no"));
    assertThat(ActivatorConfiguration.budgetOrUnlimited(billing)).isSameAs(billing);
  }

  @Test
  void withoutOneEveryBootIsAllowed() {
    assertThat(ActivatorConfiguration.budgetOrUnlimited(null)).isSameAs(BudgetPort.UNLIMITED);
  }
}
