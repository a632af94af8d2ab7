package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisConnectionPropertiesTest {

  @Test
  void aRedisUrlIsRequiredWithARedisScheme() {
    assertThatThrownBy(() -> new RedisConnectionProperties(null, null))
        .hasMessage("zeroscale.redis.url must be set");
    assertThatThrownBy(() -> new RedisConnectionProperties(" ", null))
        .hasMessage("zeroscale.redis.url must be set");
    assertThatThrownBy(() -> new RedisConnectionProperties("http://:secret@host:6379", null))
        .hasMessageContaining("must start with redis:// or rediss://")
        .hasMessageNotContaining("secret");
    assertThat(new RedisConnectionProperties(" rediss://host:6380 ", null).url())
        .isEqualTo("rediss://host:6380");
  }

  @Test
  void aBlankPasswordIsNone() {
    assertThat(new RedisConnectionProperties("redis://127.0.0.1:6379", "").password()).isNull();
    assertThat(new RedisConnectionProperties("redis://127.0.0.1:6379", "p4ss").password())
        .isEqualTo("p4ss");
  }

  @Test
  void neverShowsAPasswordOrUrlCredentials() {
    String text =
        new RedisConnectionProperties("redis://user:hunter2@host:6379", "generated-secret")
            .toString();
    assertThat(text)
        .doesNotContain("hunter2", "generated-secret")
        .contains("redis://***@host:6379");
  }
}
