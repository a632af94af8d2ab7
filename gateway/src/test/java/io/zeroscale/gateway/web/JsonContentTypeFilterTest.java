package io.zeroscale.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.gateway.error.OpenAiError;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonContentTypeFilterTest {

  private static Optional<OpenAiError> post(String path, String contentType, long length) {
    return JsonContentTypeFilter.problem("POST", path, contentType, length, false);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
        "application/merge-patch+json",
        "application/vnd.api+json; charset=utf-8",
      })
  void jsonTypesPass(String type) {
    assertThat(post("/api/v1/deployments", type, 20)).isEmpty();
    assertThat(JsonContentTypeFilter.problem("PATCH", "/admin/v1/tenants/acme", type, -1, true))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/*+json",
        "*/*",
        "application/jsonx",
        "not a media type",
        "text/json",
      })
  void otherTypesAre415(String type) {
    OpenAiError e = post("/api/v1/deployments", type, 20).orElseThrow();
    assertThat(e.status()).isEqualTo(415);
    assertThat(e.type()).isEqualTo("invalid_request_error");
    assertThat(e.code()).isEqualTo("unsupported_media_type");
    assertThat(e.param()).isNull();
    assertThat(e.message()).contains("application/json");
  }

  /** curl -d sends a form; the message says what to send instead. */
  @Test
  void aCurlFormSaysToSendJson() {
    assertThat(
            post("/admin/v1/tenants", "application/x-www-form-urlencoded", 14)
                .orElseThrow()
                .message())
        .contains("Content-Type: application/json")
        .contains("application/x-www-form-urlencoded");
  }

  @Test
  void aBodyWithoutATypeIs415ButNoBodyNeedsNone() {
    assertThat(post("/api/v1/models", null, 10).orElseThrow().status()).isEqualTo(415);
    assertThat(JsonContentTypeFilter.problem("POST", "/api/v1/models", null, -1, true)).isPresent();
    assertThat(post("/admin/v1/invoices/2026-10/finalize", null, 0)).isEmpty();
    assertThat(post("/admin/v1/invoices/2026-10/finalize", null, -1)).isEmpty();
    assertThat(post("/admin/v1/invoices/2026-10/finalize", "text/plain", 0)).isEmpty();
  }

  @Test
  void onlyBodiesOfTheTenantAndAdminApisAreChecked() {
    assertThat(post("/v1/chat/completions", "text/plain", 10)).isEmpty();
    assertThat(post("/v1/audio/transcriptions", "multipart/form-data; boundary=x", 10)).isEmpty();
    assertThat(post("/api/v1x", "text/plain", 10)).isEmpty();
    assertThat(post("/api/v1", "text/plain", 10)).isPresent();
    assertThat(JsonContentTypeFilter.problem("GET", "/api/v1/usage", "text/plain", 10, false))
        .isEmpty();
    assertThat(JsonContentTypeFilter.problem("DELETE", "/api/v1/models/m", "text/plain", 10, false))
        .isEmpty();
  }

  @Test
  void aLongContentTypeIsNotEchoedInFull() {
    assertThat(post("/api/v1/models", "text/" + "x".repeat(5_000), 10).orElseThrow().message())
        .hasSizeLessThan(300);
  }
}
