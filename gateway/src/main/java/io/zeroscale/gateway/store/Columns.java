package io.zeroscale.gateway.store;

import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A result row read by column name, with the conversions the stores share. */
public record Columns(Readable row) {

  public UUID uuid(String column) {
    return row.get(column, UUID.class);
  }

  public String text(String column) {
    return row.get(column, String.class);
  }

  public Integer integer(String column) {
    return row.get(column, Integer.class);
  }

  public Long bigint(String column) {
    return row.get(column, Long.class);
  }

  /** True only when the column is true (a null is false). */
  public boolean flag(String column) {
    return Boolean.TRUE.equals(row.get(column, Boolean.class));
  }

  /** A {@code timestamptz} as an instant, null when the column is. */
  public Instant instant(String column) {
    OffsetDateTime t = row.get(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
