package io.zeroscale.standalone;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A tiny JSON-over-HTTP client for end-to-end tests: one call, one response, no magic. */
final class ApiClient {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  static final JsonMapper JSON = JsonMapper.builder().build();

  private final String base;

  ApiClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  record Response(int status, String body) {
    JsonNode json() {
      return JSON.readTree(body);
    }

    /** The OpenAI error object of an error response. */
    JsonNode error() {
      return json().get("error");
    }
  }

  Response get(String path, String key) {
    return send("GET", path, key, null);
  }

  Response post(String path, String key, String body) {
    return send("POST", path, key, body);
  }

  Response patch(String path, String key, String body) {
    return send("PATCH", path, key, body);
  }

  Response delete(String path, String key) {
    return send("DELETE", path, key, null);
  }

  Response send(String method, String path, String key, String body) {
    return send(method, path, key, body, "application/json");
  }

  /** With the body sent as {@code contentType}. */
  Response send(String method, String path, String key, String body, String contentType) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (body != null) {
      b.header("Content-Type", contentType);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Creates a tenant with an 8-GPU quota and answers the secret of a new key of it with {@code
   * scopes} (a JSON array, e.g. {@code ["inference:*"]}).
   */
  String tenantWithKey(String adminKey, String tenant, String scopes) {
    Response t =
        post("/admin/v1/tenants", adminKey, "{\"name\":\"" + tenant + "\",\"gpu_quota\":8}");
    org.assertj.core.api.Assertions.assertThat(t.status()).as(t.body()).isEqualTo(201);
    Response k =
        post(
            "/admin/v1/tenants/" + tenant + "/keys",
            adminKey,
            "{\"name\":\"k\",\"scopes\":" + scopes + "}");
    org.assertj.core.api.Assertions.assertThat(k.status()).as(k.body()).isEqualTo(201);
    return k.json().get("secret").asString();
  }

  /**
   * Imports Llama-2-7B (known to the stand-in hub) into the key's library as {@code name} and waits
   * until it is {@code ready}.
   */
  void importLlama7b(String key, String name) {
    Response model =
        post(
            "/api/v1/models",
            key,
            "{\"name\":\"" + name + "\",\"source\":\"hf://meta-llama/Llama-2-7b-hf\"}");
    org.assertj.core.api.Assertions.assertThat(model.status()).as(model.body()).isEqualTo(202);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "ready".equals(get("/api/v1/models/" + name, key).json().get("status").asString()));
  }
}
