package io.zeroscale.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class ModelsPropertiesTest {

  private static ModelsProperties bind(Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("zeroscale.models", ModelsProperties.class);
  }

  @Test
  void defaultsAreThirtyImportsAnHourFiveAtOnceAndFiveHundredModels() {
    assertThat(bind(Map.of())).isEqualTo(new ModelsProperties(30, 5, 500, false));
  }

  @Test
  void bindsKebabCaseNames() {
    assertThat(
            bind(
                Map.of(
                    "zeroscale.models.imports-per-hour", "120",
                    "zeroscale.models.max-importing", "20",
                    "zeroscale.models.max-models", "10000")))
        .isEqualTo(new ModelsProperties(120, 20, 10_000, false));
  }

  @Test
  void thePlatformTokenForUnverifiedImportsIsOffUnlessTheOperatorSetsIt() {
    assertThat(bind(Map.of()).platformTokenForUnverified()).isFalse();
    assertThat(
            bind(Map.of("zeroscale.models.platform-token-for-unverified", "true"))
                .platformTokenForUnverified())
        .isTrue();
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheProperty() {
    assertThatThrownBy(() -> new ModelsProperties(0, 5, 500, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zeroscale.models.imports-per-hour")
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> new ModelsProperties(3_600_001, 5, 500, false))
        .hasMessageContaining("zeroscale.models.imports-per-hour");
    assertThatThrownBy(() -> new ModelsProperties(30, 0, 500, false))
        .hasMessageContaining("zeroscale.models.max-importing");
    assertThatThrownBy(() -> new ModelsProperties(30, 5, -1, false))
        .hasMessageContaining("zeroscale.models.max-models");
    assertThatThrownBy(() -> new ModelsProperties(30, 5, 1_000_001, false))
        .hasMessageContaining("zeroscale.models.max-models");
    assertThat(new ModelsProperties(3_600_000, 1_000_000, 1, false)).isNotNull();
  }
}
