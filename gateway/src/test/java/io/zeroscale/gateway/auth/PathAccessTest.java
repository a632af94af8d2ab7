package io.zeroscale.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathAccessTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/actuator/health|PUBLIC",
        "/actuator/health/|PUBLIC",
        "/actuator/health/liveness|MANAGEMENT",
        "/actuator/health/db|MANAGEMENT",
        "/actuator;x/health|PUBLIC",
        "/%61ctuator/health|PUBLIC",
        "/actuator/healthz|MANAGEMENT",
        "/actuator%2Fhealth|KEY",
        "/Actuator/health|KEY",
        "/actuator|MANAGEMENT",
        "/actuator/prometheus|MANAGEMENT",
        "/actuator;x/prometheus|MANAGEMENT",
        "/actuator/info|MANAGEMENT",
        "/actuator/prometheus/health|MANAGEMENT",
        "/|KEY",
        "/favicon.ico|KEY",
        "/v1/models|KEY",
        "/v1/chat/completions|KEY",
        "/custom-model/v1/embeddings|KEY",
        "/api/v1/deployments|KEY",
        "/admin/v1/tenants|KEY",
        "/admin;x/v1/tenants|KEY",
        "/no/such/path|KEY",
        "/health|KEY",
        "/console|PUBLIC",
        "/console/|PUBLIC",
        "/console/deployments/abc|PUBLIC",
        "/console;x/assets/js/app.js|PUBLIC",
        "/consoles|KEY",
        "/Console/|KEY",
        "/console%2Fx|KEY",
        "/api/v1/console|KEY"
      })
  void onlyHealthAndTheConsoleArePublicAndManagementNeedsMore(
      String raw, PathAccess.Access expected) {
    NormalizedPath path = ((NormalizedPath.Valid) NormalizedPath.parse(raw)).path();
    assertThat(PathAccess.of(path)).isEqualTo(expected);
  }

  @Test
  void onlyTheDefaultManagementBasePathIsAccepted() {
    PathAccess.requireDefaultBasePath("/actuator");
    assertThatThrownBy(() -> PathAccess.requireDefaultBasePath("/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("management.endpoints.web.base-path must be /actuator");
    assertThatThrownBy(() -> PathAccess.requireDefaultBasePath("/manage"))
        .hasMessageContaining("got '/manage'");
  }
}
