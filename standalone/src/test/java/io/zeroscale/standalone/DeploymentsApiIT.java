package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.json.DeploymentSpecJson;
import io.zeroscale.gateway.model.hub.StandInHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.Redisson;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import redis.embedded.RedisServer;
import tools.jackson.databind.JsonNode;

/**
 * The tenant API of SPEC §3 end to end, on the real app (embedded PostgreSQL, a Redis the test
 * watches, a stand-in Hugging Face hub): model imports (ready, failed, gated with a token,
 * unverified when the hub is down), hardware fit answers, deployments created, changed, listed and
 * deleted with their Redis publications, every 404/409/422 in OpenAI's shape, the GPU quota under
 * concurrent requests, {@code /v1/models}, and everything still there after a restart.
 *
 * <p>The tests share one app and run in order; each leaves the demo tenant without deployments.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeploymentsApiIT {

  private static final String ADMIN = "it-admin-" + "d".repeat(24);
  private static final String GATED = "meta-llama/Gated-7b";
  private static final Duration IMPORT = Duration.ofSeconds(15);

  @TempDir static Path tmp;
  private static StandInHub hub;
  private static RedisServer redis;
  private static RedissonClient redisson;
  private static final List<DeploymentSpec> published = new CopyOnWriteArrayList<>();
  private static Map<String, String> env;
  private static StandaloneProcess app;
  private static ApiClient api;
  private static String demo;

  @BeforeAll
  static void start() throws Exception {
    hub =
        StandInHub.start()
            .add(StandInHub.LLAMA_7B)
            .add(StandInHub.LLAMA_70B)
            .addGatedRepo(GATED)
            .addBinOnlyRepo("org/bin-only");
    int redisPort = StandaloneProcess.freePort();
    redis = TestRedis.on(redisPort);
    redis.start();
    Config config = new Config();
    config.useSingleServer().setAddress("redis://127.0.0.1:" + redisPort);
    redisson = Redisson.create(config);
    redisson
        .getTopic(RedisSchema.DEPLOYMENT_CHANGED, StringCodec.INSTANCE)
        .addListener(
            String.class,
            (channel, message) -> published.add(DeploymentSpecJson.read(ApiClient.JSON, message)));
    env =
        Map.of(
            "ZEROSCALE_HUB_URL",
            hub.baseUrl().toString(),
            "ZEROSCALE_REDIS_URL",
            "redis://127.0.0.1:" + redisPort,
            "ZEROSCALE_ADMIN_KEY",
            ADMIN,
            // A fast autoscaler forces the race between its decisions and the tests' reads: a
            // test that compared live fields would fail every time, not once in a while.
            "ZEROSCALE_AUTOSCALER_TICK",
            "100ms",
            "ZEROSCALE_AUTOSCALER_ENGINEMETRICSTIMEOUT",
            "100ms");
    startApp();
  }

  private static void startApp() throws Exception {
    app = StandaloneProcess.start(tmp.resolve("home"), env);
    app.awaitHealthy(Duration.ofSeconds(90));
    api = new ApiClient(app.port);
    demo = app.bannerValue("demo tenant key").orElseThrow();
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.terminate(Duration.ofSeconds(60));
    }
    if (redisson != null) {
      redisson.shutdown();
    }
    if (redis != null) {
      redis.stop();
    }
    if (hub != null) {
      hub.close();
    }
  }

  // ---------------------------------------------------------------- hardware and model library

  @Test
  @Order(1)
  void hardwareCatalogHasTheSpecGpusAndExactPrices() {
    ApiClient.Response r = api.get("/api/v1/hardware", demo);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.body())
        .contains(
            "{\"object\":\"gpu\",\"gpu\":\"A100-80GB\",\"aliases\":[\"a100\"],\"memory_gb\":80,"
                + "\"usd_per_gpu_hour\":2.00,\"num_gpus_options\":[1,2,4,8]}");
    JsonNode data = r.json().get("data");
    assertThat(names(data, "gpu"))
        .containsExactly("L40S-48GB", "A100-80GB", "H100-80GB", "H200-141GB");
    assertThat(data.get(0).get("usd_per_gpu_hour").decimalValue()).isEqualByComparingTo("1.20");
    assertThat(data.get(3).get("memory_gb").asInt()).isEqualTo(141);
  }

  @Test
  @Order(2)
  void importsLlamaModelsAndAnswersHowManyGpusTheyNeed() {
    ApiClient.Response accepted =
        post(
            "/api/v1/models",
            "{'name':'llama7','source':'hf://meta-llama/Llama-2-7b-hf','family':'llm'}");
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    assertThat(accepted.json().get("status").asString()).isEqualTo("importing");
    assertThat(accepted.json().get("has_hf_token").asBoolean()).isFalse();
    JsonNode llama7 = awaitImported("llama7");
    assertThat(llama7.get("status").asString()).isEqualTo("ready");
    assertThat(llama7.get("weight_bytes").asLong()).isEqualTo(StandInHub.LLAMA_7B.totalBytes());
    assertThat(llama7.get("architecture").asString()).isEqualTo("LlamaForCausalLM");
    assertThat(llama7.get("sha").asString())
        .isEqualTo(StandInHub.sha("meta-llama/Llama-2-7b-hf", "main"));
    assertThat(llama7.get("source").asString()).isEqualTo("hf://meta-llama/Llama-2-7b-hf@main");
    assertThat(llama7.get("error").isNull()).isTrue();

    // A huggingface.co URL, no name: the repo's name is taken.
    assertThat(
            post("/api/v1/models", "{'source':'https://huggingface.co/meta-llama/Llama-2-70b-hf'}")
                .status())
        .isEqualTo(202);
    JsonNode llama70 = awaitImported("Llama-2-70b-hf");
    assertThat(llama70.get("status").asString()).isEqualTo("ready");

    JsonNode fit7 = api.get("/api/v1/hardware?model=llama7", demo).json();
    assertThat(fit7.get("model").get("id").asString()).isEqualTo(llama7.get("id").asString());
    JsonNode a100 = gpu(fit7, "A100-80GB");
    assertThat(a100.get("fits").asBoolean()).isTrue();
    assertThat(a100.get("min_gpus").asInt()).isEqualTo(1);
    assertThat(a100.get("note").isNull()).isTrue();

    // By id this time. 137.95 GB × 1.2 = 165.5 GB: 2 × 80 GB is not enough, 2 × 141 GB is.
    JsonNode fit70 = api.get("/api/v1/hardware?model=" + llama70.get("id").asString(), demo).json();
    assertThat(gpu(fit70, "A100-80GB").get("min_gpus").asInt()).isEqualTo(4);
    assertThat(gpu(fit70, "H100-80GB").get("min_gpus").asInt()).isEqualTo(4);
    assertThat(gpu(fit70, "H200-141GB").get("min_gpus").asInt()).isEqualTo(2);
    assertThat(gpu(fit70, "L40S-48GB").get("min_gpus").asInt()).isEqualTo(4);

    assertError(api.get("/api/v1/hardware?model=no-such-model", demo), 404, null, "not_found");
  }

  @Test
  @Order(3)
  void failedGatedAndUnverifiedImports() {
    post("/api/v1/models", "{'name':'ghost','source':'hf://nobody/ghost-model'}");
    JsonNode ghost = awaitImported("ghost");
    assertThat(ghost.get("status").asString()).isEqualTo("failed");
    assertThat(ghost.get("error").asString()).isNotBlank();

    post("/api/v1/models", "{'name':'bin-only','source':'hf://org/bin-only'}");
    assertThat(awaitImported("bin-only").get("status").asString()).isEqualTo("failed");

    post("/api/v1/models", "{'name':'gated-no-token','source':'hf://" + GATED + "'}");
    JsonNode denied = awaitImported("gated-no-token");
    assertThat(denied.get("status").asString()).isEqualTo("failed");
    assertThat(denied.get("error").asString()).contains("hf_token");

    ApiClient.Response withToken =
        post(
            "/api/v1/models",
            "{'name':'gated','source':'hf://"
                + GATED
                + "','hf_token':'"
                + StandInHub.GATED_TOKEN
                + "'}");
    assertThat(withToken.body()).doesNotContain(StandInHub.GATED_TOKEN);
    JsonNode gated = awaitImported("gated");
    assertThat(gated.get("status").asString()).isEqualTo("ready");
    assertThat(gated.get("has_hf_token").asBoolean()).isTrue();
    assertThat(hub.requests())
        .as("the token went to the hub")
        .anyMatch(r -> ("Bearer " + StandInHub.GATED_TOKEN).equals(r.authorization()));
    assertThat(api.get("/api/v1/models", demo).body()).doesNotContain(StandInHub.GATED_TOKEN);

    hub.failWith(503);
    try {
      post("/api/v1/models", "{'name':'offline','source':'hf://org/offline-model'}");
      JsonNode offline = awaitImported("offline");
      assertThat(offline.get("status").asString()).isEqualTo("unverified");
      assertThat(offline.get("error").asString()).contains("could not be reached");
    } finally {
      hub.failWith(0);
    }
    JsonNode fit = gpu(api.get("/api/v1/hardware?model=offline", demo).json(), "A100-80GB");
    assertThat(fit.get("fits").isNull()).isTrue();
    assertThat(fit.get("min_gpus").isNull()).isTrue();
    assertThat(fit.get("note").asString()).contains("unverified");
  }

  @Test
  @Order(4)
  void libraryErrorsRenameAndDelete() {
    assertError(
        post("/api/v1/models", "{'name':'llama7','source':'hf://meta-llama/Llama-2-7b-hf'}"),
        422,
        "name",
        "name_taken");
    assertError(
        post("/api/v1/models", "{'name':'x','source':'gs://bucket/model'}"),
        422,
        "source",
        "invalid_value");
    assertError(
        post("/api/v1/models", "{'name':'x','source':'hf://a/b','family':'video'}"),
        422,
        "family",
        "invalid_value");
    assertError(
        post("/api/v1/models", "{'name':'bad name','source':'hf://a/b'}"),
        422,
        "name",
        "invalid_value");
    assertError(api.post("/api/v1/models", demo, "{\"name\":"), 400, null, "invalid_json");
    assertError(api.get("/api/v1/models/nope", demo), 404, null, "not_found");
    assertError(
        api.get("/api/v1/models/00000000-0000-0000-0000-000000000000", demo),
        404,
        null,
        "not_found");

    ApiClient.Response renamed = patch("/api/v1/models/ghost", "{'name':'ghost-renamed'}");
    assertThat(renamed.status()).as(renamed.body()).isEqualTo(200);
    assertThat(renamed.json().get("name").asString()).isEqualTo("ghost-renamed");
    assertError(
        patch("/api/v1/models/ghost-renamed", "{'name':'llama7'}"), 422, "name", "name_taken");
    assertError(
        patch("/api/v1/models/ghost-renamed", "{'source':'hf://a/b'}"),
        422,
        "source",
        "invalid_value");

    String id = renamed.json().get("id").asString();
    assertThat(api.delete("/api/v1/models/" + id, demo).status()).isEqualTo(204);
    assertError(api.get("/api/v1/models/" + id, demo), 404, null, "not_found");
    assertError(api.delete("/api/v1/models/" + id, demo), 404, null, "not_found");
  }

  // ---------------------------------------------------------------- deployments

  @Test
  @Order(10)
  void createGetListPatchAndDeleteADeploymentWithItsRedisPublications() {
    ApiClient.Response created =
        post(
            "/api/v1/deployments",
            "{'model_name':'chat','model':'llama7','gpu':'A100-80GB','num_gpus':1,"
                + "'max_batch_size':32,'settings':{'min_instances':0,'max_instances':2}}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonNode d = created.json();
    String id = d.get("id").asString();
    assertThat(d.get("model_name").asString()).isEqualTo("chat");
    assertThat(d.get("full_name").asString()).isEqualTo("demo/chat");
    assertThat(d.get("family").asString()).isEqualTo("llm");
    assertThat(d.get("gpu").asString()).isEqualTo("A100-80GB");
    assertThat(d.get("max_batch_size").asInt()).isEqualTo(32);
    assertThat(d.get("status").asString()).isEqualTo("scaled_to_zero");
    assertThat(d.get("warning").isNull()).isTrue();
    assertThat(d.get("queue_depth").asLong()).isZero();
    assertThat(names(d.get("instances")))
        .containsExactly("desired", "starting", "ready", "draining");
    JsonNode s = d.get("settings");
    assertThat(s.get("max_instances").asInt()).isEqualTo(2);
    assertThat(s.get("scale_to_zero_after_s").asInt()).isEqualTo(300);
    assertThat(s.get("activation_timeout_s").asInt()).isEqualTo(900);
    assertThat(s.get("max_queued_requests").asInt()).isEqualTo(1000);
    assertThat(s.get("target_utilization").decimalValue()).isEqualByComparingTo("0.7");
    assertThat(s.get("stable_window_s").asInt()).isEqualTo(60);
    assertThat(s.get("billing_aware_scale_down").asBoolean()).isTrue();

    DeploymentSpec v1 = awaitPublished(id, 1);
    assertThat(v1.status()).isEqualTo(DeploymentStatus.SCALED_TO_ZERO);
    assertThat(v1.fullName()).isEqualTo("demo/chat");
    // Instances run the commit recorded at import, not the branch (issue #16's pinning).
    assertThat(v1.source())
        .isEqualTo(
            "hf://meta-llama/Llama-2-7b-hf@" + StandInHub.sha("meta-llama/Llama-2-7b-hf", "main"));
    assertThat(v1.settings().maxInstances()).isEqualTo(2);
    assertThat(stored(id)).isEqualTo(v1);

    // The autoscaler ticks every 100 ms here (see start()): wait for its first decision on this
    // deployment, so that the comparison below always runs against a changed live part.
    JsonNode got =
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () -> api.get("/api/v1/deployments/" + id, demo).json(),
                j -> !j.get("autoscaler").isNull());
    assertThat(DeploymentJson.stable(got)).isEqualTo(DeploymentJson.stable(d));
    assertThat(got.get("autoscaler").get("desired").asInt()).isZero();
    assertThat(got.get("autoscaler").get("reason").asString()).isNotBlank();
    assertThat(got.get("instances").get("ready").asInt()).isZero();
    assertThat(api.get("/api/v1/deployments/chat", demo).json().get("id").asString()).isEqualTo(id);
    assertThat(ids(api.get("/api/v1/deployments", demo).json().get("data"))).containsExactly(id);

    ApiClient.Response patched =
        patch(
            "/api/v1/deployments/" + id,
            "{'settings':{'min_instances':1,'target_utilization':0.5},'gpu':'A100-80GB'}");
    assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    assertThat(patched.json().get("status").asString()).isEqualTo("pending");
    assertThat(patched.json().get("settings").get("min_instances").asInt()).isEqualTo(1);
    assertThat(patched.json().get("settings").get("max_instances").asInt()).isEqualTo(2);
    // v2 is the PATCH's own publication. min_instances 1 then makes the activator boot an
    // instance and report deploying and running, each a further version: the hash is compared
    // with the newest publication once they agree, not with v2 at an instant the activator races.
    DeploymentSpec v2 = awaitPublished(id, 2);
    assertThat(v2.settings().targetUtilization()).isEqualTo(0.5);
    assertThat(v2.status()).isEqualTo(DeploymentStatus.PENDING);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(stored(id)).isEqualTo(newestPublished(id)));
    assertThat(stored(id).settings().targetUtilization()).isEqualTo(0.5);

    // null resets a setting to its default (JSON merge patch).
    ApiClient.Response reset =
        patch("/api/v1/deployments/chat", "{'settings':{'target_utilization':null}}");
    assertThat(reset.json().get("settings").get("target_utilization").decimalValue())
        .isEqualByComparingTo("0.7");

    ApiClient.Response deleted = api.delete("/api/v1/deployments/" + id, demo);
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
    assertThat(deleted.json().get("status").asString()).isEqualTo("deleting");
    // Found by status, not by version number: the activator's reports take versions too. The
    // instance is drained before the deployment is final.
    DeploymentSpec deleting = awaitPublished(id, DeploymentStatus.DELETING);
    DeploymentSpec gone = awaitPublished(id, DeploymentStatus.DELETED);
    assertThat(gone.version()).isGreaterThan(deleting.version());
    assertThat(stored(id)).as("the hash forgets a deleted deployment").isNull();
    assertError(api.get("/api/v1/deployments/" + id, demo), 404, null, "not_found");
    assertError(api.delete("/api/v1/deployments/" + id, demo), 404, null, "not_found");
    assertError(patch("/api/v1/deployments/" + id, "{'settings':{}}"), 404, null, "not_found");
    assertThat(api.get("/api/v1/deployments", demo).json().get("data").isEmpty()).isTrue();

    // The name is free again.
    ApiClient.Response again =
        post("/api/v1/deployments", "{'model_name':'chat','model':'llama7','gpu':'L40S-48GB'}");
    assertThat(again.status()).as(again.body()).isEqualTo(201);
    deleteAll();
  }

  @Test
  @Order(11)
  void everyValidationRuleAnswers422OnItsField() {
    String base = "'model_name':'v','model':'llama7','gpu':'A100-80GB'";
    assertError(deploy("{'model':'llama7','gpu':'A100-80GB'}"), 422, "model_name", "invalid_value");
    assertError(
        deploy("{'model_name':'a b','model':'llama7','gpu':'A100-80GB'}"),
        422,
        "model_name",
        "invalid_value");
    assertError(
        deploy("{'model_name':'v','model':'nope','gpu':'A100-80GB'}"),
        422,
        "model",
        "model_not_found");
    assertError(
        deploy("{'model_name':'v','model':'bin-only','gpu':'A100-80GB'}"),
        422,
        "model",
        "model_failed");
    assertError(
        deploy("{'model_name':'v','model':'llama7','gpu':'TPU-v5'}"), 422, "gpu", "unknown_gpu");
    assertError(deploy("{" + base + ",'num_gpus':3}"), 422, "num_gpus", "invalid_value");
    assertError(
        deploy("{" + base + ",'max_batch_size':0}"), 422, "max_batch_size", "invalid_value");
    assertError(
        deploy("{" + base + ",'max_batch_size':1025}"), 422, "max_batch_size", "invalid_value");
    assertError(deploy("{" + base + ",'family':'video'}"), 422, "family", "invalid_value");
    assertError(deploy("{" + base + ",'replicas':2}"), 422, "replicas", "invalid_value");
    assertError(
        settings(base, "'min_instances':-1"), 422, "settings.min_instances", "invalid_value");
    assertError(
        settings(base, "'max_instances':0"), 422, "settings.max_instances", "invalid_value");
    assertError(
        settings(base, "'min_instances':2,'max_instances':1"),
        422,
        "settings.min_instances",
        "invalid_value");
    assertError(
        settings(base, "'scale_to_zero_after_s':29"),
        422,
        "settings.scale_to_zero_after_s",
        "invalid_value");
    assertError(
        settings(base, "'activation_timeout_s':3601"),
        422,
        "settings.activation_timeout_s",
        "invalid_value");
    assertError(
        settings(base, "'max_queued_requests':0"),
        422,
        "settings.max_queued_requests",
        "invalid_value");
    assertError(
        settings(base, "'target_utilization':1.5"),
        422,
        "settings.target_utilization",
        "invalid_value");
    assertError(
        settings(base, "'stable_window_s':5"), 422, "settings.stable_window_s", "invalid_value");
    assertError(
        settings(base, "'min_instances':'one'"), 422, "settings.min_instances", "invalid_value");
    assertError(
        deploy("{" + base + ",'settings':{'max_instances':5}}"),
        422,
        "settings.max_instances",
        "quota_exceeded");
    assertError(api.post("/api/v1/deployments", demo, "[1,2]"), 400, null, "invalid_json");

    // 137.95 GB × 1.2 does not fit in 2 × 80 GB; it does in 2 × 141 GB.
    ApiClient.Response tooSmall =
        deploy("{'model_name':'big','model':'Llama-2-70b-hf','gpu':'A100-80GB','num_gpus':2}");
    assertError(tooSmall, 422, "num_gpus", "model_does_not_fit");
    assertThat(tooSmall.error().get("message").asString()).contains("use num_gpus 4");
    ApiClient.Response fits =
        deploy("{'model_name':'big','model':'Llama-2-70b-hf','gpu':'H200-141GB','num_gpus':2}");
    assertThat(fits.status()).as(fits.body()).isEqualTo(201);

    assertError(
        deploy("{'model_name':'big','model':'llama7','gpu':'A100-80GB'}"),
        422,
        "model_name",
        "name_taken");
    String big = fits.json().get("id").asString();
    // The name and family stay (model, GPUs and engine change by a revision: RolloutIT).
    assertError(
        patch("/api/v1/deployments/" + big, "{'family':'embedding'}"),
        422,
        "family",
        "immutable_field");
    assertError(
        patch("/api/v1/deployments/big", "{'model_name':'bigger'}"),
        422,
        "model_name",
        "immutable_field");
    assertError(
        patch("/api/v1/deployments/big", "{'num_gpus':3}"), 422, "num_gpus", "invalid_value");
    assertError(
        patch("/api/v1/deployments/big", "{'settings':{'max_instances':3}}"),
        422,
        "settings.max_instances",
        "quota_exceeded");
    assertError(
        patch("/api/v1/deployments/big", "{'settings':{'min_instances':2}}"),
        422,
        "settings.min_instances",
        "invalid_value");
    assertError(api.delete("/api/v1/models/Llama-2-70b-hf", demo), 409, null, "model_in_use");

    // A model still importing cannot be deployed yet.
    // The hub holds its answer until the deploy has been refused (no delay to race).
    try (StandInHub.Gate lookup = hub.hold()) {
      post("/api/v1/models", "{'name':'slow','source':'hf://meta-llama/Llama-2-7b-hf@main'}");
      assertError(
          deploy("{'model_name':'slow','model':'slow','gpu':'A100-80GB'}"),
          422,
          "model",
          "model_importing");
    }
    awaitImported("slow");
    deleteAll();
    // Once its deployments are gone, a model that was deployed can be deleted (its row stays,
    // marked deleted, because the deleted deployments kept for billing refer to it).
    assertThat(api.delete("/api/v1/models/Llama-2-70b-hf", demo).status()).isEqualTo(204);
    assertError(api.get("/api/v1/models/Llama-2-70b-hf", demo), 404, null, "not_found");
  }

  @Test
  @Order(12)
  void inlineHubModelsAreImportedOnTheWayAndUnverifiedOnesCarryAWarning() {
    ApiClient.Response inline =
        deploy(
            "{'model_name':'inline','model':{'hf':{'repo':'meta-llama/Llama-2-7b-hf',"
                + "'revision':'main'}},'gpu':'L40S-48GB'}");
    assertThat(inline.status()).as(inline.body()).isEqualTo(201);
    assertThat(inline.json().get("warning").isNull()).isTrue();
    assertThat(inline.json().get("model").asString())
        .as("an already imported model of that source is reused")
        .isIn("llama7", "slow");

    ApiClient.Response missing =
        deploy("{'model_name':'ghost','model':{'hf':{'repo':'nobody/nothing'}},'gpu':'A100-80GB'}");
    assertError(missing, 422, "model.hf.repo", "model_import_failed");

    hub.failWith(503);
    ApiClient.Response offline;
    try {
      offline =
          deploy(
              "{'model_name':'offline-chat','model':{'hf':{'repo':'org/never-seen'}},"
                  + "'gpu':'A100-80GB','family':'embedding'}");
    } finally {
      hub.failWith(0);
    }
    assertThat(offline.status()).as(offline.body()).isEqualTo(201);
    assertThat(offline.json().get("warning").asString()).contains("unverified", "not checked");
    assertThat(offline.json().get("family").asString()).isEqualTo("embedding");
    JsonNode model = api.get("/api/v1/models/offline-chat", demo).json();
    assertThat(model.get("status").asString()).isEqualTo("unverified");
    assertThat(model.get("source").asString()).isEqualTo("hf://org/never-seen@main");
    deleteAll();
  }

  @Test
  @Order(20)
  void concurrentCreatesAndPatchesNeverTogetherExceedTheQuota() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      // Four creates of 2 GPUs each at once against a quota of 4: exactly two fit.
      for (int round = 0; round < 5; round++) {
        List<String> paths = new ArrayList<>();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          paths.add("/api/v1/deployments");
          bodies.add(
              "{'model_name':'race-"
                  + round
                  + "-"
                  + i
                  + "','model':'llama7',"
                  + "'gpu':'A100-80GB','settings':{'max_instances':2}}");
        }
        List<ApiClient.Response> answers = concurrently(pool, "POST", paths, bodies);
        assertThat(answers.stream().map(ApiClient.Response::status).sorted().toList())
            .as("round %d: %s", round, answers)
            .containsExactly(201, 201, 422, 422);
        answers.stream()
            .filter(r -> r.status() == 422)
            .forEach(r -> assertError(r, 422, "settings.max_instances", "quota_exceeded"));
        deleteAll();
      }

      // Two patches raising max_instances: 1 + 1 → 3 + 1 fits, 3 + 3 does not.
      String a =
          deploy("{'model_name':'pa','model':'llama7','gpu':'A100-80GB'}")
              .json()
              .get("id")
              .asString();
      String b =
          deploy("{'model_name':'pb','model':'llama7','gpu':'A100-80GB'}")
              .json()
              .get("id")
              .asString();
      List<ApiClient.Response> patches =
          concurrently(
              pool,
              "PATCH",
              List.of("/api/v1/deployments/" + a, "/api/v1/deployments/" + b),
              List.of("{'settings':{'max_instances':3}}", "{'settings':{'max_instances':3}}"));
      assertThat(patches.stream().map(ApiClient.Response::status).sorted().toList())
          .as("%s", patches)
          .containsExactly(200, 422);
      assertThat(quotaInUse()).isEqualTo(4);
      deleteAll();
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Deterministic proof that a create waits for the tenant's row lock: while another transaction
   * holds it, two creates that together exceed the quota stay pending; once it is released they run
   * one after the other and exactly one succeeds.
   */
  @Test
  @Order(21)
  void createsQueueOnTheTenantRowLock() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (Connection db = database()) {
      db.setAutoCommit(false);
      try (Statement st = db.createStatement()) {
        st.executeQuery("SELECT id FROM tenants WHERE name = 'demo' FOR UPDATE").close();
      }
      CompletableFuture<List<ApiClient.Response>> answers =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return concurrently(
                      pool,
                      "POST",
                      List.of("/api/v1/deployments", "/api/v1/deployments"),
                      List.of(
                          "{'model_name':'lock-a','model':'llama7','gpu':'A100-80GB',"
                              + "'settings':{'max_instances':3}}",
                          "{'model_name':'lock-b','model':'llama7','gpu':'A100-80GB',"
                              + "'settings':{'max_instances':3}}"));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      await()
          .during(Duration.ofMillis(800))
          .atMost(Duration.ofSeconds(2))
          .until(() -> !answers.isDone());
      db.commit();
      List<ApiClient.Response> done = answers.get(30, TimeUnit.SECONDS);
      assertThat(done.stream().map(ApiClient.Response::status).sorted().toList())
          .as("%s", done)
          .containsExactly(201, 422);
      assertThat(quotaInUse()).isEqualTo(3);
      deleteAll();
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- keys, tenants, /v1/models

  @Test
  @Order(30)
  void openAiModelListShowsWhatTheKeyMayCallAndNothingOfOtherTenants() {
    String chat =
        deploy("{'model_name':'chat','model':'llama7','gpu':'A100-80GB'}")
            .json()
            .get("id")
            .asString();
    deploy("{'model_name':'embed','model':'llama7','gpu':'A100-80GB','family':'embedding'}");

    ApiClient.Response list = api.get("/v1/models", demo);
    assertThat(list.status()).as(list.body()).isEqualTo(200);
    assertThat(list.json().get("object").asString()).isEqualTo("list");
    JsonNode first = list.json().get("data").get(0);
    assertThat(names(first)).containsExactly("id", "object", "created", "owned_by");
    assertThat(first.get("object").asString()).isEqualTo("model");
    assertThat(first.get("owned_by").asString()).isEqualTo("demo");
    Instant createdAt =
        Instant.parse(
            api.get("/api/v1/deployments/chat", demo).json().get("created_at").asString());
    assertThat(first.get("created").asLong()).isEqualTo(createdAt.getEpochSecond());
    assertThat(names(list.json().get("data"), "id")).containsExactly("chat", "embed");
    assertThat(names(api.get("/custom-model/v1/models", demo).json().get("data"), "id"))
        .containsExactly("chat", "embed");
    assertThat(api.get("/v1/models/demo/chat", demo).json().get("id").asString()).isEqualTo("chat");
    assertError(api.get("/v1/models/nope", demo), 404, "model", "model_not_found");

    String oneModel = newKey("demo", "['inference:chat']");
    assertThat(names(api.get("/v1/models", oneModel).json().get("data"), "id"))
        .containsExactly("chat");
    assertError(api.get("/v1/models/embed", oneModel), 404, "model", "model_not_found");
    assertError(api.get("/api/v1/deployments", oneModel), 403, null, "insufficient_scope");
    String readOnly = newKey("demo", "['deployments:read']");
    assertThat(api.get("/api/v1/deployments", readOnly).status()).isEqualTo(200);
    assertError(api.post("/api/v1/deployments", readOnly, "{}"), 403, null, "insufficient_scope");
    assertError(api.delete("/api/v1/models/llama7", readOnly), 403, null, "insufficient_scope");
    assertError(api.get("/v1/models", ADMIN), 403, null, "insufficient_scope");
    assertError(api.get("/api/v1/models", ADMIN), 403, null, "insufficient_scope");

    assertThat(api.post("/admin/v1/tenants", ADMIN, "{\"name\":\"other\"}").status())
        .isEqualTo(201);
    String other = newKey("other", "['inference:*','deployments:read','deployments:write']");
    assertThat(api.get("/v1/models", other).json().get("data").isEmpty()).isTrue();
    assertThat(api.get("/api/v1/deployments", other).json().get("data").isEmpty()).isTrue();
    String llama7 = api.get("/api/v1/models/llama7", demo).json().get("id").asString();
    assertError(api.get("/api/v1/deployments/" + chat, other), 404, null, "not_found");
    assertError(api.get("/api/v1/deployments/chat", other), 404, null, "not_found");
    assertError(api.delete("/api/v1/deployments/" + chat, other), 404, null, "not_found");
    assertError(api.get("/api/v1/models/" + llama7, other), 404, null, "not_found");
    assertError(api.get("/api/v1/hardware?model=" + llama7, other), 404, null, "not_found");
    assertError(
        api.post(
            "/api/v1/deployments",
            other,
            "{\"model_name\":\"steal\",\"model\":\"" + llama7 + "\",\"gpu\":\"A100-80GB\"}"),
        422,
        "model",
        "model_not_found");
    assertThat(api.get("/api/v1/deployments/chat", demo).status()).isEqualTo(200);
  }

  @Test
  @Order(40)
  void everythingSurvivesARestartAndRedisIsResynced() throws Exception {
    String models = api.get("/api/v1/models", demo).body();
    JsonNode before = api.get("/api/v1/deployments", demo).json().get("data");
    assertThat(before.size()).isEqualTo(2);
    Set<String> ids = ids(before);
    hash().delete();
    assertThat(hash().isEmpty()).isTrue();

    assertThat(app.terminate(Duration.ofSeconds(60))).isIn(0, 143);
    assertThat(app.output()).doesNotContain(StandInHub.GATED_TOKEN);
    startApp();

    assertThat(api.get("/api/v1/models", demo).body()).isEqualTo(models);
    JsonNode after = api.get("/api/v1/deployments", demo).json().get("data");
    // The autoscaler's decision, instance counts and queue depth are live state, not part of what
    // must survive.
    assertThat(DeploymentJson.stableAll(after)).isEqualTo(DeploymentJson.stableAll(before));
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> assertThat(hash().readAllKeySet()).isEqualTo(ids));
    assertThat(api.get("/api/v1/models/gated", demo).json().get("has_hf_token").asBoolean())
        .isTrue();
    deleteAll();
    assertThat(hash().isEmpty()).isTrue();
    assertThat(app.output()).doesNotContain(StandInHub.GATED_TOKEN);
  }

  // ---------------------------------------------------------------- helpers

  private static ApiClient.Response post(String path, String singleQuoted) {
    return api.post(path, demo, singleQuoted.replace('\'', '"'));
  }

  private static ApiClient.Response patch(String path, String singleQuoted) {
    return api.patch(path, demo, singleQuoted.replace('\'', '"'));
  }

  private static ApiClient.Response deploy(String singleQuoted) {
    return post("/api/v1/deployments", singleQuoted);
  }

  private static ApiClient.Response settings(String base, String settings) {
    return deploy("{" + base + ",'settings':{" + settings + "}}");
  }

  /** Fires the requests at the same moment from two threads; answers in request order. */
  private static List<ApiClient.Response> concurrently(
      ExecutorService pool, String method, List<String> paths, List<String> bodies)
      throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(paths.size());
    List<CompletableFuture<ApiClient.Response>> futures = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      String path = paths.get(i);
      String body = bodies.get(i).replace('\'', '"');
      futures.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  barrier.await();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
                return api.send(method, path, demo, body);
              },
              pool));
    }
    List<ApiClient.Response> out = new ArrayList<>();
    for (CompletableFuture<ApiClient.Response> f : futures) {
      out.add(f.get());
    }
    return out;
  }

  /** Σ max_instances × num_gpus over the demo tenant's deployments. */
  private static int quotaInUse() {
    int total = 0;
    for (JsonNode d : api.get("/api/v1/deployments", demo).json().get("data")) {
      total += d.get("settings").get("max_instances").asInt() * d.get("num_gpus").asInt();
    }
    return total;
  }

  /**
   * A JDBC connection to the app's embedded PostgreSQL (its port is in the pid file, its password
   * in the home).
   */
  private static Connection database() throws Exception {
    List<String> pid = Files.readAllLines(tmp.resolve("home/postgres/postmaster.pid"));
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + pid.get(3).strip() + "/zeroscale",
        "postgres",
        Files.readString(tmp.resolve("home/postgres-password")).strip());
  }

  /** Deletes every deployment of the demo tenant and checks that none is left. */
  private static void deleteAll() {
    for (JsonNode d : api.get("/api/v1/deployments", demo).json().get("data")) {
      assertThat(api.delete("/api/v1/deployments/" + d.get("id").asString(), demo).status())
          .isEqualTo(202);
    }
    assertThat(api.get("/api/v1/deployments", demo).json().get("data").isEmpty()).isTrue();
  }

  private static JsonNode awaitImported(String name) {
    JsonNode[] model = new JsonNode[1];
    await()
        .atMost(IMPORT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              model[0] = api.get("/api/v1/models/" + name, demo).json();
              return !"importing".equals(model[0].get("status").asString());
            });
    return model[0];
  }

  /** The first publication of {@code id} with {@code status}. */
  private static DeploymentSpec awaitPublished(String id, DeploymentStatus status) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> published.stream().anyMatch(s -> s.id().equals(id) && s.status() == status));
    return published.stream()
        .filter(s -> s.id().equals(id) && s.status() == status)
        .findFirst()
        .orElseThrow();
  }

  /** The highest version of {@code id} published so far, or null. */
  private static DeploymentSpec newestPublished(String id) {
    return published.stream()
        .filter(s -> s.id().equals(id))
        .max(java.util.Comparator.comparingLong(DeploymentSpec::version))
        .orElse(null);
  }

  private static DeploymentSpec awaitPublished(String id, long version) {
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> published.stream().anyMatch(s -> s.id().equals(id) && s.version() == version));
    return published.stream()
        .filter(s -> s.id().equals(id) && s.version() == version)
        .findFirst()
        .orElseThrow();
  }

  private static RMap<String, String> hash() {
    return redisson.getMap(RedisSchema.DEPLOYMENTS, StringCodec.INSTANCE);
  }

  private static DeploymentSpec stored(String id) {
    String json = hash().get(id);
    return json == null ? null : DeploymentSpecJson.read(ApiClient.JSON, json);
  }

  private static String newKey(String tenant, String scopes) {
    ApiClient.Response r =
        api.post(
            "/admin/v1/tenants/" + tenant + "/keys",
            ADMIN,
            ("{'name':'k','scopes':" + scopes + "}").replace('\'', '"'));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().get("secret").asString();
  }

  private static JsonNode gpu(JsonNode hardware, String name) {
    for (JsonNode g : hardware.get("data")) {
      if (g.get("gpu").asString().equals(name)) {
        return g;
      }
    }
    throw new AssertionError("no " + name + " in " + hardware);
  }

  private static List<String> names(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.get(field).asString()));
    return out;
  }

  private static List<String> names(JsonNode object) {
    return new ArrayList<>(object.propertyNames());
  }

  private static Set<String> ids(JsonNode array) {
    return names(array, "id").stream().collect(Collectors.toSet());
  }

  private static void assertError(ApiClient.Response r, int status, String param, String code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    JsonNode e = r.error();
    assertThat(e).as(r.body()).isNotNull();
    assertThat(names(e)).containsExactly("message", "type", "param", "code");
    assertThat(e.get("message").asString()).isNotBlank();
    assertThat(e.get("param").isNull() ? null : e.get("param").asString())
        .as(r.body())
        .isEqualTo(param);
    assertThat(e.get("code").isNull() ? null : e.get("code").asString())
        .as(r.body())
        .isEqualTo(code);
  }
}
