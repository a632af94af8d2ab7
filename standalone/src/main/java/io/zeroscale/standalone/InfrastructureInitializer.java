package io.zeroscale.standalone;

import io.zeroscale.gateway.auth.ApiKeys;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Runs once the configuration is known and before any bean exists: uses the external PostgreSQL and
 * Redis when {@code ZEROSCALE_POSTGRES_URL} / {@code ZEROSCALE_REDIS_URL} (or {@code
 * spring.r2dbc.url}) are set, otherwise starts the embedded servers; then publishes the resolved
 * connection settings as the highest-precedence property source, so that Spring's R2DBC, Flyway and
 * our Redis configuration all read one truth. The embedded servers' generated passwords travel only
 * in that property source (never in a URL, so no URL that a library logs carries one); external
 * servers keep the credentials the operator gave.
 */
final class InfrastructureInitializer
    implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

  static final String PROPERTY_SOURCE = "zeroscale-infrastructure";
  static final String ADMIN_KEY_GENERATED = "zeroscale.admin.key-generated";
  static final String REDIS_PASSWORD = "zeroscale.redis.password";

  private final EmbeddedInfrastructure.Factory infrastructure;
  private boolean done;

  InfrastructureInitializer(EmbeddedInfrastructure.Factory infrastructure) {
    this.infrastructure = infrastructure;
  }

  @Override
  public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
    if (done) {
      return;
    }
    done = true;
    ConfigurableEnvironment env = event.getEnvironment();
    // Before any embedded server starts: a weak admin key is a configuration error to fix first.
    ApiKeys.adminKeyProblem(env.getProperty("zeroscale.admin.key"))
        .ifPresent(
            p -> {
              throw new IllegalStateException(p);
            });
    ZeroscaleHome home =
        new ZeroscaleHome(Path.of(env.getProperty("zeroscale.home", ".zeroscale"))).prepare();
    Map<String, Object> props = new LinkedHashMap<>();

    String externalPostgres = firstNonBlank(env, "zeroscale.postgres.url", "spring.r2dbc.url");
    PostgresUrl postgres =
        externalPostgres != null
            ? PostgresUrl.parse(externalPostgres)
                .withDefaults(
                    firstNonBlank(env, "zeroscale.postgres.username", "spring.r2dbc.username"),
                    firstNonBlank(env, "zeroscale.postgres.password", "spring.r2dbc.password"))
            : infrastructure.get(home).startPostgres();
    props.put("spring.r2dbc.url", postgres.r2dbcUrl());
    props.put("spring.flyway.url", postgres.jdbcUrl());
    if (postgres.username() != null) {
      props.put("spring.r2dbc.username", postgres.username());
      props.put("spring.flyway.user", postgres.username());
    }
    if (postgres.password() != null) {
      props.put("spring.r2dbc.password", postgres.password());
      props.put("spring.flyway.password", postgres.password());
    }

    // An external Redis keeps its own credentials (in its URL, or zeroscale.redis.password);
    // the embedded one requires the password generated into the home.
    String externalRedis = firstNonBlank(env, "zeroscale.redis.url");
    if (externalRedis != null) {
      props.put("zeroscale.redis.url", externalRedis);
    } else {
      EmbeddedInfrastructure.RedisEndpoint redis = infrastructure.get(home).startRedis();
      props.put("zeroscale.redis.url", redis.url());
      props.put(REDIS_PASSWORD, redis.password());
    }

    if (firstNonBlank(env, "zeroscale.admin.key") == null) {
      ApiKeys keys = new ApiKeys(new SecureRandom());
      props.put("zeroscale.admin.key", home.secret("admin-key", keys::newSecret));
      props.put(ADMIN_KEY_GENERATED, "true");
    }
    if (firstNonBlank(env, "zeroscale.secrets.key") == null) {
      // The key that encrypts tenants' Hugging Face tokens at rest: 256 random bits, kept with
      // the data it protects so that a restart can still read them.
      props.put(
          "zeroscale.secrets.key", home.secret("secret-key", InfrastructureInitializer::newAesKey));
    }
    props.put("zeroscale.home", home.root().toString());
    env.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, props));
  }

  private static String newAesKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static String firstNonBlank(ConfigurableEnvironment env, String... keys) {
    for (String key : keys) {
      String value = env.getProperty(key);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }
}
