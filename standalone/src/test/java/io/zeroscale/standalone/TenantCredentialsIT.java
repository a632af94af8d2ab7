package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.api.RedisSchema;
import io.zeroscale.gateway.model.hub.StandInHub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RType;
import org.redisson.client.codec.StringCodec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue #16, tenant credentials, on the standalone jar with the stand-in hub: tenant A imports a
 * private repo with its own token and deploys it (once from its library, once inline with {@code
 * model.hf.hf_token}); tenant B deploys a public model. A's instances receive A's token (the
 * simulator shows it masked on {@code /debug/credentials}, behind the instance's key, and it is in
 * their environment), B's instance gets no token at all although the server has a platform {@code
 * HF_TOKEN}; the token is in clear neither in Redis nor in any log; the sweeper repairs a lost or
 * unreadable entry; deleting a deployment removes its credentials entry.
 */
class TenantCredentialsIT {

  private static final String ADMIN = SharedStacks.ADMIN;
  private static final String PLATFORM_HF_TOKEN = SharedStacks.PLATFORM_HF_TOKEN;
  private static final String TOKEN_A = "hf_TenantAPrivateRepoToken42abcd";
  private static final String PRIVATE_REPO = "acme-corp/private-llama";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static StandaloneStack stack;
  private static Path home;
  private static String keyA;
  private static String keyB;
  private static String depA;
  private static String depInline;
  private static String depB;

  @BeforeAll
  static void start() throws Exception {
    // Shared with the other users of SharedStacks.INSTANCES; tenant-a and tenant-b are this
    // class's own.
    SharedStacks.Instances shared = SharedStacks.INSTANCES.acquire(TenantCredentialsIT.class);
    stack = shared.stack();
    home = shared.home();
    stack
        .hub
        .addSafetensorsRepo(
            PRIVATE_REPO,
            "main",
            StandInHub.LLAMA_7B.architecture(),
            StandInHub.LLAMA_7B.totalBytes(),
            StandInHub.LLAMA_7B.shards(),
            true)
        .requireToken(PRIVATE_REPO, TOKEN_A);
    keyA = tenant("tenant-a");
    keyB = tenant("tenant-b");
    ApiClient api = stack.api;

    ApiClient.Response model =
        api.post(
            "/api/v1/models",
            keyA,
            "{\"name\":\"priv\",\"source\":\"hf://"
                + PRIVATE_REPO
                + "\",\"hf_token\":\""
                + TOKEN_A
                + "\"}");
    assertThat(model.status()).as(model.body()).isEqualTo(202);
    assertThat(model.body()).doesNotContain(TOKEN_A);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "ready"
                    .equals(api.get("/api/v1/models/priv", keyA).json().get("status").asString()));
    depA = deploy(keyA, "priv-chat", "\"priv\"");

    ApiClient.Response badInline =
        api.post(
            "/api/v1/deployments",
            keyA,
            "{\"model_name\":\"bad\",\"model\":{\"hf\":{\"repo\":\""
                + PRIVATE_REPO
                + "\",\"hf_token\":\"has a space SECRETPART\"}},\"gpu\":\"A100-80GB\"}");
    assertThat(badInline.status()).as(badInline.body()).isEqualTo(422);
    assertThat(badInline.json().get("error").get("param").asString())
        .isEqualTo("model.hf.hf_token");
    assertThat(badInline.body()).doesNotContain("SECRETPART");

    depInline =
        deploy(
            keyA,
            "priv-inline",
            "{\"hf\":{\"repo\":\"" + PRIVATE_REPO + "\",\"hf_token\":\"" + TOKEN_A + "\"}}");

    api.importLlama7b(keyB, "llama7");
    depB = deploy(keyB, "pub-chat", "\"llama7\"");
  }

  private static String tenant(String name) {
    ApiClient api = stack.api;
    assertThat(api.post("/admin/v1/tenants", ADMIN, "{\"name\":\"" + name + "\"}").status())
        .isEqualTo(201);
    ApiClient.Response k =
        api.post(
            "/admin/v1/tenants/" + name + "/keys",
            ADMIN,
            "{\"name\":\"k\",\"scopes\":[\"inference:*\","
                + "\"deployments:read\",\"deployments:write\"]}");
    assertThat(k.status()).as(k.body()).isEqualTo(201);
    return k.json().get("secret").asString();
  }

  private static String deploy(String key, String name, String model) {
    ApiClient.Response d =
        stack.api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\""
                + name
                + "\",\"model\":"
                + model
                + ",\"gpu\":\"A100-80GB\",\"settings\":{\"min_instances\":1,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    assertThat(d.body()).doesNotContain(TOKEN_A);
    return d.json().get("id").asString();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (depB != null) {
        assertThat(stack.api.delete("/api/v1/deployments/priv-chat", keyA).status()).isEqualTo(202);
        assertThat(stack.api.delete("/api/v1/deployments/priv-inline", keyA).status())
            .isEqualTo(202);
        assertThat(stack.api.delete("/api/v1/deployments/pub-chat", keyB).status()).isEqualTo(202);
      }
    } finally {
      SharedStacks.INSTANCES.release(TenantCredentialsIT.class);
    }
  }

  /** The published endpoint of the deployment's one ready instance. */
  private static JsonNode endpoint(String deploymentId) {
    return stack.readyEndpoint(deploymentId);
  }

  /** What the instance says it was given, through its own engine key. */
  private static JsonNode credentialsOf(String deploymentId) throws Exception {
    JsonNode e = endpoint(deploymentId);
    String url = e.get("url").asString() + "/debug/credentials";
    HttpResponse<String> open =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(open.statusCode()).as("behind the instance's key").isEqualTo(401);
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + e.get("engine_key").asString())
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain(TOKEN_A).doesNotContain(PLATFORM_HF_TOKEN);
    return JSON.readTree(r.body()).get("hf_token");
  }

  private static String environOf(String deploymentId) throws Exception {
    String instanceId = endpoint(deploymentId).get("id").asString();
    JsonNode state = JSON.readTree(Files.readString(instancesDir().resolve(instanceId + ".json")));
    long pid = state.get("pid").asLong();
    return Files.readString(Path.of("/proc/" + pid + "/environ")).replace('\0', '\n');
  }

  private static Path instancesDir() {
    return home.resolve("instances");
  }

  private static String sha256Prefix(String token) throws Exception {
    byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(d, 0, 8);
  }

  @Test
  void tenantAsInstancesGetAsTokenAndTenantBsGetsNone() throws Exception {
    for (String dep : List.of(depA, depInline)) {
      JsonNode token = credentialsOf(dep);
      assertThat(token.isObject()).as("deployment %s got a token", dep).isTrue();
      assertThat(token.get("sha256").asString()).isEqualTo(sha256Prefix(TOKEN_A));
      assertThat(token.get("masked").asString()).isEqualTo("hf_…abcd");
      assertThat(environOf(dep)).contains("HF_TOKEN=" + TOKEN_A).doesNotContain(PLATFORM_HF_TOKEN);
    }
    JsonNode none = credentialsOf(depB);
    assertThat(none.isNull()).as("a public model's instance gets no token: %s", none).isTrue();
    assertThat(environOf(depB))
        .doesNotContain("HF_TOKEN")
        .doesNotContain(TOKEN_A)
        .doesNotContain(PLATFORM_HF_TOKEN);
  }

  @Test
  void theTokenIsNeverInClearInRedisNorInAnyLog() throws Exception {
    endpoint(depA);
    endpoint(depInline);
    endpoint(depB);

    Map<String, String> credentials =
        stack
            .redis
            .<String, String>getMap(RedisSchema.CREDENTIALS, StringCodec.INSTANCE)
            .readAllMap();
    assertThat(credentials).containsKeys(depA, depInline, depB);
    assertThat(JSON.readTree(credentials.get(depA)).get("hf_token_sealed").asString()).isNotBlank();
    assertThat(JSON.readTree(credentials.get(depB)).get("hf_token_sealed").isNull()).isTrue();
    assertThat(JSON.readTree(credentials.get(depB)).get("platform_token").asBoolean()).isFalse();

    List<String> values = new ArrayList<>();
    for (String key : stack.redis.getKeys().getKeysByPattern("zs:*")) {
      values.add(key);
      RType type = stack.redis.getKeys().getType(key);
      switch (type) {
        case OBJECT ->
            values.add(String.valueOf(stack.redis.getBucket(key, StringCodec.INSTANCE).get()));
        case MAP ->
            stack
                .redis
                .<String, String>getMap(key, StringCodec.INSTANCE)
                .readAllMap()
                .forEach((k, v) -> values.add(k + "=" + v));
        case LIST ->
            values.addAll(stack.redis.<String>getList(key, StringCodec.INSTANCE).readAll());
        case ZSET ->
            values.addAll(
                stack.redis.<String>getScoredSortedSet(key, StringCodec.INSTANCE).readAll());
        case SET -> values.addAll(stack.redis.<String>getSet(key, StringCodec.INSTANCE).readAll());
        default -> values.add("<" + type + ">");
      }
    }
    assertThat(values).isNotEmpty().noneMatch(v -> v.contains(TOKEN_A));

    assertThat(stack.app.output()).doesNotContain(TOKEN_A).doesNotContain(PLATFORM_HF_TOKEN);
    try (Stream<Path> logs = Files.list(instancesDir())) {
      List<Path> instanceLogs = logs.filter(p -> p.toString().endsWith(".log")).toList();
      assertThat(instanceLogs).hasSizeGreaterThanOrEqualTo(3);
      for (Path log : instanceLogs) {
        assertThat(Files.readString(log))
            .as("%s", log)
            .contains("engine-sim hf_token=")
            .doesNotContain(TOKEN_A)
            .doesNotContain(PLATFORM_HF_TOKEN);
      }
    }
  }

  @Test
  void theSweeperRepairsALostEntry() {
    // Once their instances run: an instance launched while its entry is missing gets no token.
    endpoint(depInline);
    endpoint(depB);
    var map = stack.redis.<String, String>getMap(RedisSchema.CREDENTIALS, StringCodec.INSTANCE);
    String before = map.get(depInline);
    map.fastRemove(depInline);
    map.fastPut(depB, "not json");

    await().atMost(Duration.ofSeconds(30)).until(() -> map.containsKey(depInline));
    String after = map.get(depInline);
    assertThat(after).as("sealed again, with a fresh nonce").isNotEqualTo(before);
    assertThat(JSON.readTree(after).get("hf_token_sealed").asString()).isNotBlank();
    assertThat(after).doesNotContain(TOKEN_A);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                map.get(depB).startsWith("{")
                    && JSON.readTree(map.get(depB)).get("hf_token_sealed").isNull());
  }

  @Test
  void deletingADeploymentRemovesItsCredentials() {
    ApiClient.Response d =
        stack.api.post(
            "/api/v1/deployments",
            keyB,
            "{\"model_name\":\"gone\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\"}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    String id = d.json().get("id").asString();
    var map = stack.redis.<String, String>getMap(RedisSchema.CREDENTIALS, StringCodec.INSTANCE);
    assertThat(map.containsKey(id)).isTrue();

    assertThat(stack.api.delete("/api/v1/deployments/gone", keyB).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(30)).until(() -> !map.containsKey(id));
  }
}
