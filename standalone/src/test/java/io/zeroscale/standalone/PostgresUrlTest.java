package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PostgresUrlTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "postgresql://zs:s3cr%40t@db.example:6543/zeroscale?sslmode=require",
        "postgres://zs:s3cr%40t@db.example:6543/zeroscale?sslmode=require",
        "jdbc:postgresql://zs:s3cr%40t@db.example:6543/zeroscale?sslmode=require",
        "r2dbc:postgresql://zs:s3cr%40t@db.example:6543/zeroscale?sslmode=require"
      })
  void everyFormGivesTheSameLocation(String url) {
    PostgresUrl pg = PostgresUrl.parse(url);
    assertThat(pg.host()).isEqualTo("db.example");
    assertThat(pg.port()).isEqualTo(6543);
    assertThat(pg.database()).isEqualTo("zeroscale");
    assertThat(pg.username()).isEqualTo("zs");
    assertThat(pg.password()).isEqualTo("s3cr@t");
    assertThat(pg.r2dbcUrl())
        .isEqualTo("r2dbc:postgresql://db.example:6543/zeroscale?sslmode=require");
    assertThat(pg.jdbcUrl())
        .isEqualTo("jdbc:postgresql://db.example:6543/zeroscale?sslmode=require");
  }

  @Test
  void defaultsPortAndTakesCredentialsFromConfigurationWhenTheUrlHasNone() {
    PostgresUrl pg = PostgresUrl.parse("jdbc:postgresql://db/zs").withDefaults("u", "p");
    assertThat(pg.port()).isEqualTo(5432);
    assertThat(pg.username()).isEqualTo("u");
    assertThat(pg.password()).isEqualTo("p");
    assertThat(PostgresUrl.parse("postgresql://a:b@db/zs").withDefaults("u", "p").username())
        .isEqualTo("a");
  }

  @Test
  void neverShowsThePassword() {
    PostgresUrl pg = PostgresUrl.parse("postgresql://zs:hunter2@db/zs");
    assertThat(pg.toString()).doesNotContain("hunter2");
    // The URLs become spring.r2dbc.url and spring.flyway.url, which libraries log: the password
    // travels in its own property only (the embedded server's generated one included).
    PostgresUrl embedded =
        new PostgresUrl("127.0.0.1", 5433, "zeroscale", "postgres", "f00d", null);
    assertThat(embedded.r2dbcUrl()).isEqualTo("r2dbc:postgresql://127.0.0.1:5433/zeroscale");
    assertThat(embedded.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5433/zeroscale");
    assertThat(embedded.toString()).doesNotContain("f00d");
    assertThat(new EmbeddedInfrastructure.RedisEndpoint("redis://127.0.0.1:6380", "f00d"))
        .hasToString("RedisEndpoint[redis://127.0.0.1:6380]");
    assertThatThrownBy(() -> PostgresUrl.parse("mysql://zs:hunter2@db/zs"))
        .hasMessageNotContaining("hunter2")
        .hasMessageContaining("mysql://zs:***@db/zs");
  }

  @Test
  void rejectsUrlsWithoutDatabase() {
    assertThatThrownBy(() -> PostgresUrl.parse("postgresql://db:5432/"))
        .hasMessageContaining("no database");
    assertThatThrownBy(() -> PostgresUrl.parse(" ")).hasMessageContaining("empty");
  }
}
