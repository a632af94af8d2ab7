package io.zeroscale.standalone;

import io.zeroscale.gateway.auth.ApiKeys;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * Makes the standalone app usable at once: a {@code demo} tenant with one API key (every tenant
 * scope: inference, deployments, usage and keys, so that it can make narrower keys itself), whose
 * secret is kept in {@code ZEROSCALE_HOME/demo-api-key} so that every start prints the same key. A
 * demo key made by an older version gets the scopes added since. Then prints where to go and which
 * keys to use.
 *
 * <p>Runs on the main thread during start-up (an {@link ApplicationRunner}), never on an event
 * loop, so waiting for the database here is fine. Disabled by {@code zeroscale.demo.enabled=false}.
 */
final class DemoTenantBootstrap implements ApplicationRunner {

  static final String TENANT = "demo";
  static final String[] SCOPES = {
    "inference:*",
    "deployments:read",
    "deployments:write",
    "usage:read",
    "billing:write",
    "keys:read",
    "keys:write"
  };
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final DatabaseClient db;
  private final Environment env;

  DemoTenantBootstrap(DatabaseClient db, Environment env) {
    this.db = db;
    this.env = env;
  }

  @Override
  public void run(ApplicationArguments args) {
    String url = "http://localhost:" + env.getProperty("local.server.port", "8080");
    String demoKey = null;
    if (env.getProperty("zeroscale.demo.enabled", Boolean.class, true)) {
      demoKey = ensureDemoTenant().block(TIMEOUT);
    }
    printBanner(url, demoKey);
  }

  /** Creates the tenant and key if missing; answers the demo key's secret. */
  Mono<String> ensureDemoTenant() {
    ZeroscaleHome home = new ZeroscaleHome(Path.of(env.getRequiredProperty("zeroscale.home")));
    ApiKeys keys = new ApiKeys(new SecureRandom());
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    Mono<UUID> tenantId =
        db.sql(
                "INSERT INTO tenants (id, name, created_at, updated_at) VALUES (:id, :name, :now,"
                    + " :now) ON CONFLICT (name) WHERE deleted_at IS NULL DO NOTHING")
            .bind("id", UUID.randomUUID())
            .bind("name", TENANT)
            .bind("now", now)
            .then()
            .then(
                db.sql("SELECT id FROM tenants WHERE name = :name AND deleted_at IS NULL")
                    .bind("name", TENANT)
                    .map(row -> row.get("id", UUID.class))
                    .one());
    return tenantId.flatMap(
        id -> {
          String secret = home.secret("demo-api-key", keys::newSecret);
          return db.sql("SELECT count(*) AS n FROM api_keys WHERE secret_sha256 = :hash")
              .bind("hash", ApiKeys.hash(secret))
              .map(row -> row.get("n", Long.class))
              .one()
              .flatMap(
                  n ->
                      n > 0
                          ? db.sql(
                                  "UPDATE api_keys SET scopes = ARRAY(SELECT DISTINCT unnest(scopes"
                                      + " || CAST(:scopes AS TEXT[]))) WHERE secret_sha256 ="
                                      + " :hash AND NOT scopes @> CAST(:scopes AS TEXT[])")
                              .bind("scopes", SCOPES)
                              .bind("hash", ApiKeys.hash(secret))
                              .then()
                              .thenReturn(secret)
                          : db.sql(
                                  "INSERT INTO api_keys (id, tenant_id, name, secret_sha256,"
                                      + " display_prefix, scopes, created_at) VALUES (:id,"
                                      + " :tenant, 'demo', :hash, :prefix, :scopes, :now)")
                              .bind("id", UUID.randomUUID())
                              .bind("tenant", id)
                              .bind("hash", ApiKeys.hash(secret))
                              .bind("prefix", ApiKeys.displayPrefix(secret))
                              .bind("scopes", SCOPES)
                              .bind("now", now)
                              .then()
                              .thenReturn(secret));
        });
  }

  /**
   * Keys go to standard output once, on purpose: this is the only time a person can learn them
   * (they are stored hashed), and it is what the README's quickstart tells people to copy. They
   * never go through the logger.
   */
  private void printBanner(String url, String demoKey) {
    boolean generatedAdmin =
        env.getProperty(InfrastructureInitializer.ADMIN_KEY_GENERATED, Boolean.class, false);
    StringBuilder sb = new StringBuilder();
    sb.append('\n').append("Zeroscale is running at ").append(url).append('\n');
    sb.append("  OpenAI base URL : ").append(url).append("/v1\n");
    if (demoKey != null) {
      sb.append("  demo tenant key : ").append(demoKey).append('\n');
    }
    if (generatedAdmin) {
      sb.append("  admin key       : ")
          .append(env.getProperty("zeroscale.admin.key"))
          .append("  (generated; set ZEROSCALE_ADMIN_KEY to choose one)\n");
    } else {
      sb.append("  admin key       : from ZEROSCALE_ADMIN_KEY\n");
    }
    sb.append("  data            : ").append(env.getProperty("zeroscale.home")).append('\n');
    System.out.println(sb);
    System.out.flush();
  }
}
