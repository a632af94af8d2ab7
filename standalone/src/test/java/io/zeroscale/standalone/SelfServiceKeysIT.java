package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zeroscale.api.InstanceEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Self-service keys ({@code /api/v1/keys}, issue #20) end to end, on two gateway processes sharing
 * one PostgreSQL and one Redis: a tenant key with {@code keys:write} creates a narrower key that
 * works on the data plane (an embeddings call served by a simulator), cannot hand on more than it
 * holds (403), rotates a secret (the old one stops everywhere), and a revocation on one gateway is
 * refused by the other within a second (Redis pub/sub, as for the admin API).
 */
class SelfServiceKeysIT {

  private static final String ADMIN = SharedStacks.ADMIN;
  private static final String EMBED =
      "{\"model\":\"embed\",\"input\":\"hello\",\"encoding_format\":\"float\"}";

  @TempDir static Path tmp;
  private static GatewayFleet fleet;
  private static InstanceRegistry registry;
  private static SimProcess sim;
  private static ApiClient api1;
  private static ApiClient api2;

  /** inference:*, deployments:read/write and keys:write; no usage:read, no limits, no expiry. */
  private static String root;

  @BeforeAll
  static void start() throws Exception {
    // Shared with AdminApiIT (two gateways with a stand-in hub); the tenants "self" and "other"
    // are this class's own. The instance is published by the test (InstanceRegistry), not an
    // activator.
    fleet = SharedStacks.FLEET.acquire(SelfServiceKeysIT.class).fleet();
    api1 = new ApiClient(fleet.gw1.port);
    api2 = new ApiClient(fleet.gw2.port);
    registry = new InstanceRegistry(fleet.redisPort);

    assertThat(api1.post("/admin/v1/tenants", ADMIN, "{\"name\":\"self\"}").status())
        .isEqualTo(201);
    root =
        fleet.tenantKey(
            "self", "[\"inference:*\",\"deployments:read\",\"deployments:write\",\"keys:write\"]");
    api1.importLlama7b(root, "llama7");
    String embedId = deploy("embed", "embedding");
    deploy("chat", "llm");
    sim =
        SimProcess.start(tmp.resolve("sims"), List.of("embed", "self/embed"), "--family=embedding");
    registry.publish(embedId, "embed-0", sim.url(), InstanceEndpoint.State.READY);
  }

  private static String deploy(String name, String family) {
    ApiClient.Response d =
        api1.post(
            "/api/v1/deployments",
            root,
            "{\"model_name\":\""
                + name
                + "\",\"model\":\"llama7\",\"family\":\""
                + family
                + "\",\"gpu\":\"A100-80GB\",\"settings\":{\"min_instances\":0,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    return d.json().get("id").asString();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (sim != null) {
        sim.close();
      }
      if (registry != null) {
        registry.close();
      }
    } finally {
      SharedStacks.FLEET.release(SelfServiceKeysIT.class);
    }
  }

  private static void assertError(ApiClient.Response r, int status, String param, String code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    JsonNode e = r.error();
    assertThat(e).as(r.body()).isNotNull();
    assertThat(e.get("message").stringValue()).isNotBlank();
    assertThat(e.has("param")).isTrue();
    assertThat(e.get("param").isNull() ? null : e.get("param").stringValue())
        .as(r.body())
        .isEqualTo(param);
    assertThat(e.get("code").stringValue()).as(r.body()).isEqualTo(code);
  }

  /** Creates a key with {@code creator}; answers the creation answer (201 asserted). */
  private static JsonNode create(String creator, String body) {
    ApiClient.Response r = api1.post("/api/v1/keys", creator, body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json();
  }

  private static int embed(ApiClient api, String key) {
    return api.post("/v1/embeddings", key, EMBED).status();
  }

  @Test
  void aKeyWithKeysWriteCreatesANarrowerKeyThatWorksOnTheDataPlane() {
    JsonNode app = create(root, "{\"name\":\"app\",\"scopes\":[\"inference:embed\"]}");
    String secret = app.get("secret").stringValue();
    String id = app.get("id").stringValue();
    assertThat(app.get("object").stringValue()).isEqualTo("api_key");
    assertThat(app.get("tenant").stringValue()).isEqualTo("self");
    assertThat(secret).startsWith(app.get("prefix").stringValue());

    // The narrower key calls what it was given, on either gateway, and nothing else.
    ApiClient.Response served = api2.post("/v1/embeddings", secret, EMBED);
    assertThat(served.status()).as(served.body()).isEqualTo(200);
    assertThat(served.json().get("data").get(0).get("embedding").isArray()).isTrue();
    JsonNode models = api1.get("/v1/models", secret).json().get("data");
    assertThat(models).hasSize(1);
    assertThat(models.get(0).get("id").stringValue()).isEqualTo("embed");
    assertError(
        api1.post(
            "/v1/chat/completions",
            secret,
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        403,
        "model",
        "insufficient_scope");
    assertError(api1.get("/api/v1/keys", secret), 403, null, "insufficient_scope");
    assertError(api1.get("/api/v1/deployments", secret), 403, null, "insufficient_scope");

    // Listed and read by id (keys:write implies keys:read), the secret never again.
    ApiClient.Response list = api2.get("/api/v1/keys", root);
    assertThat(list.status()).as(list.body()).isEqualTo(200);
    assertThat(list.body()).contains(id).doesNotContain(secret).doesNotContain("\"secret\"");
    ApiClient.Response one = api2.get("/api/v1/keys/" + id, root);
    assertThat(one.status()).as(one.body()).isEqualTo(200);
    assertThat(one.json().get("scopes").get(0).stringValue()).isEqualTo("inference:embed");
    assertThat(one.json().has("secret")).isFalse();

    // A keys:read key lists but changes nothing.
    String reader =
        create(root, "{\"name\":\"reader\",\"scopes\":[\"keys:read\"]}")
            .get("secret")
            .stringValue();
    assertThat(api1.get("/api/v1/keys", reader).status()).isEqualTo(200);
    assertError(
        api1.post("/api/v1/keys", reader, "{\"name\":\"x\",\"scopes\":[\"keys:read\"]}"),
        403,
        null,
        "insufficient_scope");
    assertError(api1.delete("/api/v1/keys/" + id, reader), 403, null, "insufficient_scope");
  }

  @Test
  void aKeyCannotHandOnMoreThanItHolds() {
    // Scopes the creator lacks.
    assertError(
        api1.post("/api/v1/keys", root, "{\"name\":\"x\",\"scopes\":[\"usage:read\"]}"),
        403,
        "scopes",
        "insufficient_scope");
    assertError(
        api1.post("/api/v1/keys", root, "{\"name\":\"x\",\"scopes\":[\"admin\"]}"),
        422,
        "scopes",
        "invalid_value");

    // A creator that expires and has a rate limit.
    String expiry =
        Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS).toString();
    String later = Instant.parse(expiry).plusSeconds(1).toString();
    JsonNode limited =
        create(
            root,
            "{\"name\":\"limited\",\"scopes\":[\"inference:embed\",\"keys:write\"],"
                + "\"expires_at\":\""
                + expiry
                + "\",\"requests_per_minute\":100}");
    String lim = limited.get("secret").stringValue();
    assertError(
        api1.post(
            "/api/v1/keys",
            lim,
            "{\"name\":\"x\",\"scopes\":[\"inference:*\"],\"expires_at\":\"" + expiry + "\"}"),
        403,
        "scopes",
        "insufficient_scope");
    assertError(
        api1.post("/api/v1/keys", lim, "{\"name\":\"x\",\"scopes\":[\"inference:embed\"]}"),
        403,
        "expires_at",
        "exceeds_own_key");
    assertError(
        api1.post(
            "/api/v1/keys",
            lim,
            "{\"name\":\"x\",\"scopes\":[\"inference:embed\"],\"expires_at\":\"" + later + "\"}"),
        403,
        "expires_at",
        "exceeds_own_key");
    assertError(
        api1.post(
            "/api/v1/keys",
            lim,
            "{\"name\":\"x\",\"scopes\":[\"inference:embed\"],\"expires_at\":\""
                + expiry
                + "\",\"requests_per_minute\":101}"),
        403,
        "requests_per_minute",
        "exceeds_own_key");
    // Within everything: created, and an absent limit is the creator's, not the tenant's "none".
    JsonNode child =
        create(
            lim,
            "{\"name\":\"child\",\"scopes\":[\"inference:embed\"],\"expires_at\":\""
                + expiry
                + "\"}");
    assertThat(child.get("requests_per_minute").intValue()).isEqualTo(100);
    assertThat(embed(api1, child.get("secret").stringValue())).isEqualTo(200);

    // Nor can it rotate or revoke a key broader than itself (rotating would hand it that key).
    String rootId = idOf(root);
    assertError(
        api1.post("/api/v1/keys/" + rootId + "/rotate", lim, null),
        403,
        null,
        "insufficient_scope");
    assertError(api1.delete("/api/v1/keys/" + rootId, lim), 403, null, "insufficient_scope");
    assertThat(embed(api1, root)).isEqualTo(200);

    // Bad input: 422 naming the field.
    assertError(
        api1.post(
            "/api/v1/keys",
            root,
            "{\"name\":\"" + "n".repeat(101) + "\",\"scopes\":[\"inference:embed\"]}"),
        422,
        "name",
        "invalid_value");
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      many.add("\"inference:m" + i + "\"");
    }
    assertError(
        api1.post(
            "/api/v1/keys", root, "{\"name\":\"x\",\"scopes\":[" + String.join(",", many) + "]}"),
        422,
        "scopes",
        "invalid_value");
    assertError(
        api1.post(
            "/api/v1/keys", root, "{\"name\":\"x\",\"scopes\":[\"inference:embed\"],\"colour\":1}"),
        422,
        "colour",
        "invalid_value");
    String childId = child.get("id").stringValue();
    assertError(
        api1.post("/api/v1/keys/" + childId + "/rotate", root, "{\"grace_s\":-1}"),
        422,
        "grace_s",
        "invalid_value");
    assertError(
        api1.post("/api/v1/keys/" + childId + "/rotate", root, "{\"grace_s\":86401}"),
        422,
        "grace_s",
        "invalid_value");
  }

  @Test
  void anotherTenantsKeysAreNotFoundAndPlatformKeysAreRefused() {
    String id =
        create(root, "{\"name\":\"mine\",\"scopes\":[\"inference:embed\"]}")
            .get("id")
            .stringValue();
    assertThat(api1.post("/admin/v1/tenants", ADMIN, "{\"name\":\"other\"}").status())
        .isEqualTo(201);
    String other = fleet.tenantKey("other", "[\"keys:write\"]");
    assertError(api1.get("/api/v1/keys/" + id, other), 404, null, "not_found");
    assertError(api1.delete("/api/v1/keys/" + id, other), 404, null, "not_found");
    assertError(api1.post("/api/v1/keys/" + id + "/rotate", other, null), 404, null, "not_found");
    assertError(api1.get("/api/v1/keys/not-a-uuid", other), 404, null, "not_found");
    assertThat(api1.get("/api/v1/keys", other).body()).doesNotContain(id);
    assertError(api1.get("/api/v1/keys", ADMIN), 403, null, "insufficient_scope");
  }

  @Test
  void rotationGivesANewSecretAndTheOldOneStopsOnEveryGateway() {
    JsonNode rot = create(root, "{\"name\":\"rot\",\"scopes\":[\"inference:embed\"]}");
    String id = rot.get("id").stringValue();
    String old = rot.get("secret").stringValue();
    // Both gateways have the old secret cached.
    assertThat(embed(api1, old)).isEqualTo(200);
    assertThat(embed(api2, old)).isEqualTo(200);

    ApiClient.Response rotated = api1.post("/api/v1/keys/" + id + "/rotate", root, null);
    assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
    assertThat(rotated.json().get("id").stringValue()).isEqualTo(id);
    assertThat(rotated.json().has("previous_secret_expires_at")).isFalse();
    String fresh = rotated.json().get("secret").stringValue();
    assertThat(fresh).isNotEqualTo(old);
    assertThat(embed(api1, fresh)).isEqualTo(200);
    assertThat(embed(api2, fresh)).isEqualTo(200);
    // Grace 0 (the default): the old secret stops at once here, within a second there.
    assertError(api1.get("/v1/models", old), 401, null, "invalid_api_key");
    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertThat(api2.get("/v1/models", old).status()).isEqualTo(401));

    // With a grace, both secrets work until it ends.
    ApiClient.Response graced =
        api2.post("/api/v1/keys/" + id + "/rotate", root, "{\"grace_s\":600}");
    assertThat(graced.status()).as(graced.body()).isEqualTo(200);
    assertThat(Instant.parse(graced.json().get("previous_secret_expires_at").stringValue()))
        .isAfter(Instant.now().plusSeconds(500));
    String newest = graced.json().get("secret").stringValue();
    assertThat(
            api2.get("/api/v1/keys/" + id, root)
                .json()
                .get("previous_secret_expires_at")
                .stringValue())
        .isEqualTo(graced.json().get("previous_secret_expires_at").stringValue());
    assertThat(embed(api1, fresh)).isEqualTo(200);
    assertThat(embed(api2, fresh)).isEqualTo(200);
    assertThat(embed(api1, newest)).isEqualTo(200);

    // Rotating again ends that grace at once; a short grace ends by itself, on both gateways
    // (the cached lookup carries the grace's end as its expiry; nothing is asserted before it).
    ApiClient.Response shortGrace =
        api1.post("/api/v1/keys/" + id + "/rotate", root, "{\"grace_s\":2}");
    assertThat(shortGrace.status()).as(shortGrace.body()).isEqualTo(200);
    assertThat(api1.get("/v1/models", fresh).status()).isEqualTo(401);
    String last = shortGrace.json().get("secret").stringValue();
    assertThat(embed(api2, last)).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              assertError(api1.get("/v1/models", newest), 401, null, "expired_api_key");
              assertError(api2.get("/v1/models", newest), 401, null, "expired_api_key");
            });
    assertThat(embed(api2, last)).isEqualTo(200);
  }

  @Test
  void aPreviousSecretInItsGraceServesButCannotRotateRevokeOrCreateKeys() {
    // A key that manages keys, rotated by its owner with a grace; the old secret has leaked.
    JsonNode owner =
        create(root, "{\"name\":\"owner\",\"scopes\":[\"inference:embed\",\"keys:write\"]}");
    String id = owner.get("id").stringValue();
    String leaked = owner.get("secret").stringValue();
    ApiClient.Response rotated =
        api1.post("/api/v1/keys/" + id + "/rotate", leaked, "{\"grace_s\":3600}");
    assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
    String current = rotated.json().get("secret").stringValue();

    // The old secret still serves and reads during the grace, on either gateway...
    assertThat(embed(api1, leaked)).isEqualTo(200);
    assertThat(embed(api2, leaked)).isEqualTo(200);
    assertThat(api2.get("/api/v1/keys/" + id, leaked).status()).isEqualTo(200);
    // ...but it cannot take the key over (rotate itself with grace 0), revoke it, nor make keys.
    assertError(
        api1.post("/api/v1/keys/" + id + "/rotate", leaked, "{\"grace_s\":0}"),
        403,
        null,
        "previous_secret");
    assertError(
        api2.post("/api/v1/keys/" + id + "/rotate", leaked, null), 403, null, "previous_secret");
    assertError(api1.delete("/api/v1/keys/" + id, leaked), 403, null, "previous_secret");
    assertError(
        api1.post("/api/v1/keys", leaked, "{\"name\":\"x\",\"scopes\":[\"inference:embed\"]}"),
        403,
        null,
        "previous_secret");
    ApiClient.Response refused = api1.delete("/api/v1/keys/" + id, leaked);
    assertThat(refused.error().get("message").stringValue()).contains("previous secret");

    // The owner's new secret still works, and still manages the key.
    assertThat(embed(api1, current)).isEqualTo(200);
    assertThat(embed(api2, current)).isEqualTo(200);
    assertThat(api1.get("/api/v1/keys/" + id, root).json().get("revoked_at").isNull()).isTrue();
    ApiClient.Response again =
        api2.post("/api/v1/keys/" + id + "/rotate", current, "{\"grace_s\":0}");
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertError(api1.get("/v1/models", leaked), 401, null, "invalid_api_key");
  }

  @Test
  void aKeyRevokedOnOneGatewayIsRefusedByTheOtherWithinASecond() {
    JsonNode rev = create(root, "{\"name\":\"rev\",\"scopes\":[\"inference:embed\"]}");
    String secret = rev.get("secret").stringValue();
    assertThat(embed(api1, secret)).isEqualTo(200);
    assertThat(embed(api2, secret)).isEqualTo(200);

    assertThat(api1.delete("/api/v1/keys/" + rev.get("id").stringValue(), root).status())
        .isEqualTo(204);
    assertError(api1.get("/v1/models", secret), 401, null, "invalid_api_key");
    // Gateway 2 had it cached (60 s TTL): only the Redis message can make it refuse in time.
    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertThat(api2.get("/v1/models", secret).status()).isEqualTo(401));
    ApiClient.Response listed = api1.get("/api/v1/keys/" + rev.get("id").stringValue(), root);
    assertThat(listed.json().get("revoked_at").isNull()).isFalse();
  }

  /** The id of the key with this secret, found by its display prefix in the listing. */
  private static String idOf(String secret) {
    for (JsonNode k : api1.get("/api/v1/keys", root).json().get("data")) {
      if (secret.startsWith(k.get("prefix").stringValue())) {
        return k.get("id").stringValue();
      }
    }
    throw new AssertionError("no key listed for that secret");
  }
}
