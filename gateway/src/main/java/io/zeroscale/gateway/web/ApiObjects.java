package io.zeroscale.gateway.web;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The envelope every object of the {@code /api/v1}, {@code /admin/v1} and {@code /v1/models}
 * answers shares: an {@code id} and its {@code object} type first, or a {@code list} of them.
 */
public final class ApiObjects {

  private ApiObjects() {}

  /** A new object with its {@code id} (as text) and {@code object} type, to be filled in order. */
  public static Map<String, Object> of(Object id, String type) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id.toString());
    m.put("object", type);
    return m;
  }

  /** The list shape every {@code /api/v1} and {@code /admin/v1} listing uses. */
  public static Map<String, Object> list(List<?> data) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("object", "list");
    out.put("data", data);
    return out;
  }

  /** An instant as the API writes it (ISO-8601), null for none. */
  public static String time(Instant t) {
    return t == null ? null : t.toString();
  }
}
