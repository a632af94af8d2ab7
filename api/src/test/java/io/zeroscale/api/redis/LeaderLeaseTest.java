package io.zeroscale.api.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaderLeaseTest {

  @Test
  void keysAndArgumentsAreWhatTheScriptsRead() {
    assertThat(LeaderLease.ACTIVATOR.keys()).containsExactly("zs:activator:leader");
    assertThat(LeaderLease.AUTOSCALER.keys()).containsExactly("zs:autoscaler:leader");
    assertThat(LeaderLease.takeArgs("a-1", Duration.ofSeconds(15))).containsExactly("a-1", "15000");
    assertThat(LeaderLease.releaseArgs("a-1")).containsExactly("a-1");
    assertThat(LeaderLease.held(1)).isTrue();
    assertThat(LeaderLease.held(0)).isFalse();
  }

  @Test
  void scriptsCheckTheHolderBeforeTheyTouchTheKey() {
    assertThat(LeaderLease.TAKE).contains("PEXPIRE", "'PX', ARGV[2]", "holder == ARGV[1]");
    assertThat(LeaderLease.RELEASE).contains("== ARGV[1]", "DEL");
  }
}
