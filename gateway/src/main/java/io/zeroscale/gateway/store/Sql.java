package io.zeroscale.gateway.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

/** The conversions and bindings every store of the gateway makes the same way. */
public final class Sql {

  private Sql() {}

  /** An instant as PostgreSQL's {@code timestamptz} takes it, in UTC. */
  public static OffsetDateTime odt(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  /** Binds {@code value}, or a null typed {@code type} (PostgreSQL needs the type of a null). */
  public static <T> GenericExecuteSpec bindNullable(
      GenericExecuteSpec spec, String name, T value, Class<T> type) {
    return value == null ? spec.bindNull(name, type) : spec.bind(name, value);
  }

  /** A UUID, or null when {@code s} is not one (a reference that may be an id or a name). */
  public static UUID parseUuid(String s) {
    if (s == null || s.length() != 36) {
      return null;
    }
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
