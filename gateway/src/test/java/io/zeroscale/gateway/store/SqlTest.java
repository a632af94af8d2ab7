package io.zeroscale.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SqlTest {

  @Test
  void parsesOnlyWholeUuids() {
    UUID id = UUID.randomUUID();
    assertThat(Sql.parseUuid(id.toString())).isEqualTo(id);
    assertThat(Sql.parseUuid(null)).isNull();
    assertThat(Sql.parseUuid("acme")).isNull();
    assertThat(Sql.parseUuid("1-1-1-1-1")).isNull();
    assertThat(Sql.parseUuid("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz")).isNull();
  }

  @Test
  void timestampsAreUtc() {
    Instant t = Instant.parse("2026-12-06T10:00:00.123456Z");
    assertThat(Sql.odt(t))
        .isEqualTo(OffsetDateTime.of(2026, 12, 6, 10, 0, 0, 123_456_000, ZoneOffset.UTC));
  }

  @Test
  void columnsConvertInstantsAndFlags() {
    Map<String, Object> values = new HashMap<>();
    values.put("created_at", OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(2)));
    values.put("deleted_at", null);
    values.put("on", true);
    values.put("unset", null);
    Columns c = new Columns(row(values));
    assertThat(c.instant("created_at")).isEqualTo(Instant.parse("2026-01-02T01:04:05Z"));
    assertThat(c.instant("deleted_at")).isNull();
    assertThat(c.flag("on")).isTrue();
    assertThat(c.flag("unset")).isFalse();
  }

  private static Readable row(Map<String, Object> values) {
    return new Readable() {
      @Override
      public <T> T get(int index, Class<T> type) {
        throw new UnsupportedOperationException();
      }

      @Override
      public <T> T get(String name, Class<T> type) {
        return type.cast(values.get(name));
      }
    };
  }
}
