package io.zeroscale.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SlotSharesTest {

  @Test
  void sharesOfEveryInstanceAddUpToItsBatchSizeWhenGatewaysDoNotOutnumberIt() {
    for (int b = 1; b <= 70; b++) {
      for (int g = 1; g <= b; g++) {
        for (int instance = 0; instance < 5; instance++) {
          int sum = 0;
          for (int rank = 0; rank < g; rank++) {
            sum += SlotShares.share(b, g, rank, instance);
          }
          assertThat(sum).as("b=%d g=%d instance=%d", b, g, instance).isEqualTo(b);
        }
      }
    }
  }

  @Test
  void workedExampleFromTheJavadoc() {
    assertThat(SlotShares.share(3, 2, 0, 0)).isEqualTo(2);
    assertThat(SlotShares.share(3, 2, 1, 0)).isEqualTo(1);
    assertThat(SlotShares.share(3, 2, 0, 1)).isEqualTo(1);
    assertThat(SlotShares.share(3, 2, 1, 1)).isEqualTo(2);
    assertThat(SlotShares.share(4, 2, 0, 0)).isEqualTo(2);
    assertThat(SlotShares.share(64, 1, 0, 7)).isEqualTo(64);
  }

  @Test
  void moreGatewaysThanSlotsGivesEachOneSlot() {
    for (int rank = 0; rank < 3; rank++) {
      assertThat(SlotShares.share(1, 3, rank, 0)).isEqualTo(1);
    }
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> SlotShares.share(0, 1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SlotShares.share(4, 2, 2, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
