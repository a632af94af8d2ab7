package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.api.RedisSchema;
import io.zeroscale.gateway.model.s3.S3StandIn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.client.codec.StringCodec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue #20, S3 model sources, on the standalone jar with an S3-compatible stand-in (S3Proxy, a
 * real S3 server over a filesystem blob store, SigV4 required): a tenant imports {@code
 * s3://models/llama/7b} with the store's endpoint and its credentials; the import reads {@code
 * config.json} and the safetensors index and reports architecture, size and fit as for Hugging
 * Face. A deployment of it boots an instance that received the {@code s3://} source as its model
 * argument with {@code --load-format runai_streamer} and the tenant's S3 credentials as {@code
 * AWS_*} variables (the simulator shows them fingerprinted on {@code /debug/credentials}), never
 * the server's own {@code AWS_*}; the secret is in clear neither in responses, Redis nor any log.
 * Wrong credentials, a missing prefix and an endpoint the operator did not allow end {@code
 * failed}; an endpoint carrying credentials is a 422.
 */
class S3ModelsIT {

  private static final String ADMIN = SharedStacks.ADMIN;
  private static final String SERVER_AWS_KEY_ID = SharedStacks.SERVER_AWS_KEY_ID;
  private static final String SERVER_AWS_SECRET = SharedStacks.SERVER_AWS_SECRET;
  private static final String LLAMA_INDEX_TOTAL = "13476839424";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path tmp;
  private static S3StandIn s3;
  private static StandaloneStack stack;
  private static Path home;
  private static String key;
  private static String deployment;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3StandIn.start(tmp.resolve("s3"));
    s3.model(
        "models",
        "llama/7b",
        "LlamaForCausalLM",
        "llama",
        List.of(9_976_576_152L, 3_500_296_424L),
        Long.parseLong(LLAMA_INDEX_TOTAL));
    // Shared with the other users of SharedStacks.INSTANCES (its server has its own AWS_* and
    // allows S3 endpoints on 127.0.0.1); the tenant "s3-tenant" is this class's own.
    SharedStacks.Instances shared = SharedStacks.INSTANCES.acquire(S3ModelsIT.class);
    stack = shared.stack();
    home = shared.home();
    key =
        stack.api.tenantWithKey(
            ADMIN, "s3-tenant", "[\"inference:*\",\"deployments:read\",\"deployments:write\"]");
  }

  /** Its deployments go (their instances with them); the stack stays for its other users. */
  @AfterAll
  static void stop() throws Exception {
    try {
      if (key != null) {
        for (String name : List.of("s3-chat", "s3-inline", "s3-missing")) {
          assertThat(stack.api.delete("/api/v1/deployments/" + name, key).status())
              .as(name)
              .isIn(202, 404);
        }
      }
    } finally {
      try {
        SharedStacks.INSTANCES.release(S3ModelsIT.class);
      } finally {
        if (s3 != null) {
          s3.close();
        }
      }
    }
  }

  private static String importBody(String name, String source, String endpoint, String secret) {
    return "{\"name\":\""
        + name
        + "\",\"source\":\""
        + source
        + "\",\"endpoint\":\""
        + endpoint
        + "\",\"s3_credentials\":{\"access_key_id\":\""
        + S3StandIn.ACCESS_KEY_ID
        + "\",\"secret_access_key\":\""
        + secret
        + "\",\"region\":\"us-east-1\"}}";
  }

  private static JsonNode imported(String name) {
    JsonNode[] model = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              model[0] = stack.api.get("/api/v1/models/" + name, key).json();
              return !"importing".equals(model[0].get("status").asString());
            });
    return model[0];
  }

  /** The library model, ready, and its deployment (made once, used by several tests). */
  private static synchronized String deployment() {
    if (deployment != null) {
      return deployment;
    }
    ApiClient.Response r =
        stack.api.post(
            "/api/v1/models",
            key,
            importBody(
                "llama-s3", "s3://models/llama/7b", s3.endpoint(), S3StandIn.SECRET_ACCESS_KEY));
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    assertThat(r.body()).doesNotContain(S3StandIn.SECRET_ACCESS_KEY);
    JsonNode m = imported("llama-s3");
    assertThat(m.get("status").asString()).as(m.toString()).isEqualTo("ready");
    ApiClient.Response d =
        stack.api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"s3-chat\",\"model\":\"llama-s3\",\"gpu\":\"A100-80GB\","
                + "\"settings\":{\"min_instances\":1,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    assertThat(d.body()).doesNotContain(S3StandIn.SECRET_ACCESS_KEY);
    deployment = d.json().get("id").asString();
    return deployment;
  }

  @Test
  void anS3ImportReportsArchitectureSizeAndFit() {
    deployment();
    JsonNode m = stack.api.get("/api/v1/models/llama-s3", key).json();
    assertThat(m.get("source").asString()).isEqualTo("s3://models/llama/7b");
    assertThat(m.get("endpoint").asString()).isEqualTo(s3.endpoint());
    assertThat(m.get("has_s3_credentials").asBoolean()).isTrue();
    assertThat(m.get("has_hf_token").asBoolean()).isFalse();
    assertThat(m.get("architecture").asString()).isEqualTo("LlamaForCausalLM");
    assertThat(m.get("model_type").asString()).isEqualTo("llama");
    assertThat(m.get("weight_bytes").asLong()).isEqualTo(Long.parseLong(LLAMA_INDEX_TOTAL));
    assertThat(m.toString()).doesNotContain(S3StandIn.SECRET_ACCESS_KEY);

    JsonNode hardware = stack.api.get("/api/v1/hardware?model=llama-s3", key).json();
    JsonNode a100 = null;
    for (JsonNode g : hardware.get("data")) {
      if (g.get("gpu").asString().equals("A100-80GB")) {
        a100 = g;
      }
    }
    assertThat(a100).as(hardware.toString()).isNotNull();
    assertThat(a100.get("fits").asBoolean()).isTrue();
    assertThat(a100.get("min_gpus").asInt()).isEqualTo(1);
  }

  @Test
  void withoutAnIndexTheSizeIsTheSumOfTheSafetensorsObjects() throws Exception {
    s3.model(
        "models", "mistral", "MistralForCausalLM", "mistral", List.of(7L << 30, 7L << 30), null);
    ApiClient.Response r =
        stack.api.post(
            "/api/v1/models",
            key,
            importBody(
                "mistral-s3", "s3://models/mistral", s3.endpoint(), S3StandIn.SECRET_ACCESS_KEY));
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    JsonNode m = imported("mistral-s3");
    assertThat(m.get("status").asString()).as(m.toString()).isEqualTo("ready");
    assertThat(m.get("weight_bytes").asLong()).isEqualTo(14L << 30);
  }

  @Test
  void wrongCredentialsAMissingPrefixAndAPrivateEndpointFail() {
    stack.api.post(
        "/api/v1/models",
        key,
        importBody("wrong-secret", "s3://models/llama/7b", s3.endpoint(), "NotTheSecretAtAll"));
    JsonNode wrong = imported("wrong-secret");
    assertThat(wrong.get("status").asString()).isEqualTo("failed");
    // The whole text: nothing of the (wrong) secret, nor anything else, slips into it.
    assertThat(wrong.get("error").asString())
        .isEqualTo(
            "the S3 store refused the s3_credentials given for s3://models/llama/7b (HTTP 403,"
                + " SignatureDoesNotMatch): they are invalid or have no read access to it (import"
                + " it again with s3_credentials that can read it)");

    stack.api.post(
        "/api/v1/models",
        key,
        importBody(
            "nothing", "s3://models/nothing/here", s3.endpoint(), S3StandIn.SECRET_ACCESS_KEY));
    JsonNode nothing = imported("nothing");
    assertThat(nothing.get("status").asString()).isEqualTo("failed");
    assertThat(nothing.get("error").asString()).contains("config.json");

    // localhost is loopback and not in zeroscale.s3.private-hosts: never requested.
    String viaLocalhost = s3.endpoint().replace("127.0.0.1", "localhost");
    stack.api.post(
        "/api/v1/models",
        key,
        importBody("internal", "s3://models/llama/7b", viaLocalhost, S3StandIn.SECRET_ACCESS_KEY));
    JsonNode internal = imported("internal");
    assertThat(internal.get("status").asString()).isEqualTo("failed");
    assertThat(internal.get("error").asString())
        .contains("'localhost'")
        .contains("zeroscale.s3.private-hosts")
        .doesNotContain("127.0.0.1");

    // A host that does not resolve fails the import: unverified, it could still be deployed and
    // its instances would connect to whatever the name resolves to then.
    stack.api.post(
        "/api/v1/models",
        key,
        importBody(
            "unresolved",
            "s3://models/llama/7b",
            "http://no-such-store.invalid:9000",
            S3StandIn.SECRET_ACCESS_KEY));
    JsonNode unresolved = imported("unresolved");
    assertThat(unresolved.get("status").asString()).isEqualTo("failed");
    assertThat(unresolved.get("error").asString())
        .contains("'no-such-store.invalid'")
        .contains("resolve");

    ApiClient.Response withCredentials =
        stack.api.post(
            "/api/v1/models",
            key,
            "{\"source\":\"s3://models/llama/7b\",\"endpoint\":\"http://AKIA:topsecret@"
                + s3.endpoint().substring("http://".length())
                + "\"}");
    assertThat(withCredentials.status()).isEqualTo(422);
    assertThat(withCredentials.json().get("error").get("param").asString()).isEqualTo("endpoint");
    assertThat(withCredentials.body()).doesNotContain("topsecret");
  }

  @Test
  void theInstanceGetsTheS3SourceAndTheTenantsCredentialsNeverTheServers() throws Exception {
    String dep = deployment();
    JsonNode e = stack.readyEndpoint(dep);
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(e.get("url").asString() + "/debug/credentials"))
                .header("Authorization", "Bearer " + e.get("engine_key").asString())
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body())
        .doesNotContain(S3StandIn.SECRET_ACCESS_KEY)
        .doesNotContain(SERVER_AWS_SECRET);
    JsonNode c = JSON.readTree(r.body());
    assertThat(c.get("model").asString()).isEqualTo("s3://models/llama/7b");
    assertThat(c.get("load_format").asString()).isEqualTo("runai_streamer");
    assertThat(c.get("hf_token").isNull()).isTrue();
    JsonNode aws = c.get("aws");
    assertThat(aws.get("AWS_ACCESS_KEY_ID").get("sha256").asString())
        .isEqualTo(sha256Prefix(S3StandIn.ACCESS_KEY_ID));
    assertThat(aws.get("AWS_SECRET_ACCESS_KEY").get("sha256").asString())
        .isEqualTo(sha256Prefix(S3StandIn.SECRET_ACCESS_KEY));
    assertThat(aws.get("AWS_SECRET_ACCESS_KEY").get("masked").asString())
        .isEqualTo(
            S3StandIn.SECRET_ACCESS_KEY.substring(0, 3)
                + "…"
                + S3StandIn.SECRET_ACCESS_KEY.substring(S3StandIn.SECRET_ACCESS_KEY.length() - 4));
    assertThat(aws.get("AWS_REGION").asString()).isEqualTo("us-east-1");
    assertThat(aws.get("AWS_ENDPOINT_URL").asString()).isEqualTo(s3.endpoint());
    assertThat(aws.has("AWS_SESSION_TOKEN")).isFalse();
    // Never the host's instance-metadata role instead.
    assertThat(aws.get("AWS_EC2_METADATA_DISABLED").asString()).isEqualTo("true");

    long pid = pid(e.get("id").asString());
    String environ = Files.readString(Path.of("/proc/" + pid + "/environ")).replace('\0', '\n');
    assertThat(environ)
        .contains("AWS_SECRET_ACCESS_KEY=" + S3StandIn.SECRET_ACCESS_KEY)
        .contains("AWS_ACCESS_KEY_ID=" + S3StandIn.ACCESS_KEY_ID)
        .doesNotContain(SERVER_AWS_SECRET)
        .doesNotContain(SERVER_AWS_KEY_ID)
        .doesNotContain(SharedStacks.SERVER_AWS_REGION);
    List<String> cmdline =
        List.of(Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0"));
    assertThat(cmdline)
        .contains("s3://models/llama/7b", "--load-format=runai_streamer")
        .noneMatch(a -> a.startsWith("--revision"));
  }

  @Test
  void theSecretIsInClearNeitherInRedisNorInAnyLog() throws Exception {
    String dep = deployment();
    stack.readyEndpoint(dep);
    String entry =
        stack.redis.<String, String>getMap(RedisSchema.CREDENTIALS, StringCodec.INSTANCE).get(dep);
    assertThat(entry).isNotNull().doesNotContain(S3StandIn.SECRET_ACCESS_KEY);
    assertThat(JSON.readTree(entry).get("s3_sealed").asString()).isNotBlank();
    assertThat(stack.app.output())
        .doesNotContain(S3StandIn.SECRET_ACCESS_KEY)
        .doesNotContain(SERVER_AWS_SECRET);
    try (Stream<Path> logs = Files.list(home.resolve("instances"))) {
      for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
        assertThat(Files.readString(log)).as("%s", log).doesNotContain(S3StandIn.SECRET_ACCESS_KEY);
      }
    }
  }

  @Test
  void anInlineModelS3IsImportedOnTheWayAndItsInstanceGetsItsAccess() throws Exception {
    ApiClient.Response d =
        stack.api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"s3-inline\",\"gpu\":\"A100-80GB\",\"model\":{\"s3\":{"
                + "\"source\":\"s3://models/llama/7b\",\"endpoint\":\""
                + s3.endpoint()
                + "\",\"s3_credentials\":{\"access_key_id\":\""
                + S3StandIn.ACCESS_KEY_ID
                + "\",\"secret_access_key\":\""
                + S3StandIn.SECRET_ACCESS_KEY
                + "\"}}},\"settings\":{\"min_instances\":1,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    assertThat(d.body()).doesNotContain(S3StandIn.SECRET_ACCESS_KEY);
    JsonNode m = stack.api.get("/api/v1/models/s3-inline", key).json();
    assertThat(m.get("status").asString()).isEqualTo("ready");
    assertThat(m.get("weight_bytes").asLong()).isEqualTo(Long.parseLong(LLAMA_INDEX_TOTAL));
    assertThat(m.get("has_s3_credentials").asBoolean()).isTrue();

    JsonNode e = stack.readyEndpoint(d.json().get("id").asString());
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(e.get("url").asString() + "/debug/credentials"))
                .header("Authorization", "Bearer " + e.get("engine_key").asString())
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode c = JSON.readTree(r.body());
    assertThat(c.get("model").asString()).isEqualTo("s3://models/llama/7b");
    assertThat(c.get("aws").get("AWS_SECRET_ACCESS_KEY").get("sha256").asString())
        .isEqualTo(sha256Prefix(S3StandIn.SECRET_ACCESS_KEY));

    ApiClient.Response failing =
        stack.api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"s3-missing\",\"gpu\":\"A100-80GB\",\"model\":{\"s3\":{"
                + "\"source\":\"s3://models/nothing/here\",\"endpoint\":\""
                + s3.endpoint()
                + "\",\"s3_credentials\":{\"access_key_id\":\""
                + S3StandIn.ACCESS_KEY_ID
                + "\",\"secret_access_key\":\""
                + S3StandIn.SECRET_ACCESS_KEY
                + "\"}}}}");
    assertThat(failing.status()).as(failing.body()).isEqualTo(422);
    assertThat(failing.json().get("error").get("param").asString()).isEqualTo("model.s3.source");
    assertThat(failing.json().get("error").get("code").asString()).isEqualTo("model_import_failed");
  }

  @Test
  void theSweeperRepairsALostEntryWithItsS3Access() {
    String dep = deployment();
    stack.readyEndpoint(dep);
    var map = stack.redis.<String, String>getMap(RedisSchema.CREDENTIALS, StringCodec.INSTANCE);
    String before = map.get(dep);
    map.fastPut(dep, "{\"hf_token_sealed\":null,\"platform_token\":false}");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> JSON.readTree(map.get(dep)).path("s3_sealed").isString());
    assertThat(map.get(dep))
        .as("sealed again, with a fresh nonce")
        .isNotEqualTo(before)
        .doesNotContain(S3StandIn.SECRET_ACCESS_KEY);
  }

  private static long pid(String instanceId) throws Exception {
    Path state = home.resolve("instances").resolve(instanceId + ".json");
    return JSON.readTree(Files.readString(state)).get("pid").asLong();
  }

  private static String sha256Prefix(String token) throws Exception {
    byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(d, 0, 8);
  }
}
