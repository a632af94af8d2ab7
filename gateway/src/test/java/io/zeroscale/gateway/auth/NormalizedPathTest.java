package io.zeroscale.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NormalizedPathTest {

  private static String normalized(String raw) {
    return switch (NormalizedPath.parse(raw)) {
      case NormalizedPath.Valid v -> v.path().value();
      case NormalizedPath.Malformed m -> "malformed: " + m.reason();
    };
  }

  /** Each spelling routing matches like the plain path normalizes to the plain path. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/admin/v1/tenants|/admin/v1/tenants",
        "/admin;x/v1/tenants|/admin/v1/tenants",
        "/admin;x=1;y=2/v1;z/tenants;w|/admin/v1/tenants",
        "/%61dmin/v1/tenants|/admin/v1/tenants",
        "/%61%64%6D%69%6e/v1/tenants|/admin/v1/tenants",
        "/api;a/v1/deployments|/api/v1/deployments",
        "/v1;x/models|/v1/models",
        "//admin//v1///tenants|/admin/v1/tenants",
        "/admin/v1/tenants/|/admin/v1/tenants",
        "/;x/admin/v1|/admin/v1",
        "/|/",
        "''|/",
        "/actuator;v=1/health|/actuator/health",
        "/v1/models/demo/chat|/v1/models/demo/chat",
        "/custom-model/v1/chat/completions|/custom-model/v1/chat/completions",
        "/v1/models/caf%C3%A9|/v1/models/café",
        "/v1/models/a+b|/v1/models/a+b",
        "/Admin/v1/tenants|/Admin/v1/tenants"
      })
  void normalizesWhatRoutingWouldMatch(String raw, String expected) {
    assertThat(normalized(raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v1/%zz/models",
        "/v1/%4",
        "/v1/%",
        "/v1/%ff",
        "/v1/%e2%82",
        "/v1/%c0%af",
        "/v1/../admin/v1/tenants",
        "/v1/./models",
        "/v1/%2e%2e/admin",
        "/v1/%2E/models",
        "/actuator/health/../prometheus",
        "/actuator/health/..;x/prometheus",
        "/v1/%00",
        "/v1/a%0Ab",
        "/v1/%7f",
        "v1/models"
      })
  void refusesWhatCannotBeDecodedOrResolvesDotSegments(String raw) {
    assertThat(NormalizedPath.parse(raw)).isInstanceOf(NormalizedPath.Malformed.class);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // An escaped slash stays inside its segment, as routing keeps it: not /actuator/health.
        "/actuator%2Fhealth|1",
        "/actuator/health|2",
        "/a%3Bb/c|2"
      })
  void anEscapedSlashOrSemicolonIsPartOfTheSegment(String raw, int segments) {
    NormalizedPath p = ((NormalizedPath.Valid) NormalizedPath.parse(raw)).path();
    assertThat(p.segments()).hasSize(segments);
  }
}
