package io.zeroscale.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Admin refusals echo at most ~40 characters of what was sent. */
class AdminEchoTest {

  @Test
  void aLongTenantNameIsNotEchoedInFull() {
    assertThat(AdminRules.tenantName("A".repeat(10_000)).orElseThrow()).hasSizeLessThan(250);
  }

  @Test
  void aLongScopeIsNotEchoedInFull() {
    assertThat(AdminRules.scopes(List.of("s".repeat(10_000)), true).orElseThrow())
        .hasSizeLessThan(250);
  }

  @Test
  void aSpendLimitWithAHugeExponentIsRefusedBriefly() {
    assertThatThrownBy(() -> AdminRules.spendLimitMicros(new BigDecimal("1e-2147483647")))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    assertThatThrownBy(() -> AdminRules.spendLimitMicros(new BigDecimal("-1e2147483647")))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }
}
