package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue #16 on the standalone jar with its process runtime: an instance (a real simulator process)
 * gets none of the gateway's secrets in its environment, answers 401 to a direct call without its
 * own engine key while the gateway reaches it, runs the commit recorded at import, and keeps its
 * files private.
 */
class InstanceIsolationIT {

  private static final String ADMIN = SharedStacks.ADMIN;
  private static final String PLATFORM_HF_TOKEN = SharedStacks.PLATFORM_HF_TOKEN;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final String CHAT =
      "{\"model\":\"iso\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}";

  private static StandaloneStack stack;
  private static Path home;
  private static String key;
  private static String deploymentId;

  @BeforeAll
  static void start() throws Exception {
    // Shared with the other users of SharedStacks.INSTANCES; the tenant "iso" is this class's own.
    SharedStacks.Instances shared = SharedStacks.INSTANCES.acquire(InstanceIsolationIT.class);
    stack = shared.stack();
    home = shared.home();
    ApiClient api = stack.api;
    assertThat(api.post("/admin/v1/tenants", ADMIN, "{\"name\":\"iso\"}").status()).isEqualTo(201);
    ApiClient.Response k =
        api.post(
            "/admin/v1/tenants/iso/keys",
            ADMIN,
            "{\"name\":\"k\",\"scopes\":[\"inference:*\",\"deployments:read\",\"deployments:write\"]}");
    assertThat(k.status()).as(k.body()).isEqualTo(201);
    key = k.json().get("secret").asString();
    api.importLlama7b(key, "llama7");
    ApiClient.Response d =
        api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"iso\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                + "\"settings\":{\"min_instances\":1,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    assertThat(d.json().get("warning").isNull()).as("a verified model runs pinned").isTrue();
    deploymentId = d.json().get("id").asString();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (deploymentId != null) {
        assertThat(stack.api.delete("/api/v1/deployments/iso", key).status()).isEqualTo(202);
      }
    } finally {
      SharedStacks.INSTANCES.release(InstanceIsolationIT.class);
    }
  }

  /** The published endpoint of the deployment's one ready instance. */
  private static JsonNode endpoint() {
    return stack.readyEndpoint(deploymentId);
  }

  private static HttpResponse<String> post(String url, String authorization) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(CHAT));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Path instancesDir() {
    return home.resolve("instances");
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void theInstanceNeedsItsOwnKeyWhichOnlyTheGatewaySends() throws Exception {
    JsonNode e = endpoint();
    String url = e.get("url").asString();
    String engineKey = e.path("engine_key").asString(null);
    assertThat(engineKey).isNotBlank().hasSizeGreaterThanOrEqualTo(22);

    HttpResponse<String> direct = post(url + "/v1/chat/completions", null);
    assertThat(direct.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(direct.body()).get("error").get("message").asString())
        .contains("API key");
    assertThat(post(url + "/v1/chat/completions", "Bearer " + key).statusCode())
        .as("the tenant's own key does not open the instance")
        .isEqualTo(401);
    assertThat(get(url + "/v1/models").statusCode()).isEqualTo(401);
    assertThat(get(url + "/health").statusCode()).as("probes stay open").isEqualTo(200);
    assertThat(get(url + "/metrics").statusCode()).isEqualTo(200);

    HttpResponse<String> viaGateway =
        post("http://127.0.0.1:" + stack.app.port + "/v1/chat/completions", "Bearer " + key);
    assertThat(viaGateway.statusCode()).as(viaGateway.body()).isEqualTo(200);
    assertThat(post(url + "/v1/chat/completions", "Bearer " + engineKey).statusCode())
        .isEqualTo(200);
  }

  @Test
  void theInstanceHasNoneOfTheGatewaysSecretsAndRunsThePinnedCommit() throws Exception {
    String instanceId = endpoint().get("id").asString();
    JsonNode state = JSON.readTree(Files.readString(instancesDir().resolve(instanceId + ".json")));
    long pid = state.get("pid").asLong();

    String environ = Files.readString(Path.of("/proc/" + pid + "/environ")).replace('\0', '\n');
    assertThat(environ)
        .doesNotContain(ADMIN)
        .doesNotContain(PLATFORM_HF_TOKEN)
        .doesNotContain("ZEROSCALE_")
        .doesNotContain("HF_TOKEN")
        .contains("VLLM_API_KEY=")
        .contains("HOME=" + instancesDir().resolve(instanceId));
    String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
    assertThat(cmdline).doesNotContain(state.get("engine_key").asString());

    String sha = stack.api.get("/api/v1/models/llama7", key).json().get("sha").asString();
    assertThat(sha).isNotBlank().isNotEqualTo("main");
    assertThat(cmdline).contains("meta-llama/Llama-2-7b-hf", "--revision=" + sha);
  }

  @Test
  void instanceFilesArePrivate() throws Exception {
    String instanceId = endpoint().get("id").asString();

    assertThat(mode(instancesDir())).isEqualTo("rwx------");
    assertThat(mode(instancesDir().resolve(instanceId))).isEqualTo("rwx------");
    assertThat(mode(instancesDir().resolve(instanceId + ".json"))).isEqualTo("rw-------");
    assertThat(mode(instancesDir().resolve(instanceId + ".log"))).isEqualTo("rw-------");
  }
}
