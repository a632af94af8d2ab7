package io.zeroscale.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AuthWebFilterTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v1/chat/completions",
        "/v1/models",
        "/v1",
        "/custom-model/v1/embeddings",
        "/api/v1/deployments",
        "/admin/v1/tenants"
      })
  void apiPathsAreProtected(String path) {
    assertThat(AuthWebFilter.isProtected(path)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/actuator/health", "/", "/v10/x", "/v1x", "/apis/v1/x"})
  void otherPathsAreOpen(String path) {
    assertThat(AuthWebFilter.isProtected(path)).isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      value = {
        "Bearer zs-abc|zs-abc",
        "bearer zs-abc|zs-abc",
        "BEARER  zs-abc |zs-abc",
        "Basic dXNlcjpwYXNz|",
        "Bearer |",
        "zs-abc|"
      },
      delimiter = '|')
  void extractsBearerTokens(String header, String expected) {
    assertThat(AuthWebFilter.bearer(header)).isEqualTo(expected);
  }
}
