package io.zeroscale.gateway.admin;

import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.web.JsonBody;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The body of a key creation, the same on the admin API ({@code POST /admin/v1/tenants/{t}/keys},
 * {@code POST /admin/v1/keys}) and the tenant API ({@code POST /api/v1/keys}): {@code name}, {@code
 * scopes}, optional {@code expires_at}, {@code requests_per_minute} and {@code
 * max_concurrent_requests}, each refused with a 422 naming the field.
 */
public final class KeyRequests {

  static final String RPM = "requests_per_minute";
  static final String CONCURRENT = "max_concurrent_requests";
  private static final Set<String> KEY_FIELDS =
      Set.of("name", "scopes", "expires_at", RPM, CONCURRENT);

  private KeyRequests() {}

  /**
   * A key to create, valid on its own (what the creating key may hand on is checked elsewhere).
   *
   * @param expiresAt null for never
   * @param limits the key's own rate limits; null fields inherit
   */
  public record NewKey(
      String name, List<String> scopes, Instant expiresAt, Principal.Limits limits) {

    public NewKey {
      scopes = List.copyOf(scopes);
      limits = Principal.Limits.orInherit(limits);
    }

    /** The same key with other rate limits. */
    public NewKey withLimits(Principal.Limits other) {
      return new NewKey(name, scopes, expiresAt, other);
    }
  }

  /**
   * Parses and validates a key creation body.
   *
   * @param tenantKey whether the key belongs to a tenant (tenant scopes) or not (platform scopes)
   */
  public static NewKey parse(String body, boolean tenantKey, Instant now) {
    JsonBody req = JsonBody.parse(body).allowOnly(KEY_FIELDS);
    String name = req.requiredString("name");
    AdminRules.keyName(name).ifPresent(p -> fail(req, "name", p));
    List<String> scopes = req.requiredStringList("scopes");
    AdminRules.scopes(scopes, tenantKey).ifPresent(p -> fail(req, "scopes", p));
    Instant expiresAt = req.optionalInstant("expires_at").orElse(null);
    AdminRules.expiry(expiresAt, now).ifPresent(p -> fail(req, "expires_at", p));
    return new NewKey(name, scopes, expiresAt, rateLimits(req));
  }

  /** {@code requests_per_minute} and {@code max_concurrent_requests}: absent or null = inherit. */
  static Principal.Limits rateLimits(JsonBody req) {
    Integer rpm = req.optionalInt(RPM).orElse(null);
    AdminRules.rateLimit(RPM, rpm).ifPresent(p -> fail(req, RPM, p));
    Integer concurrent = req.optionalInt(CONCURRENT).orElse(null);
    AdminRules.rateLimit(CONCURRENT, concurrent).ifPresent(p -> fail(req, CONCURRENT, p));
    return new Principal.Limits(rpm, concurrent);
  }

  private static void fail(JsonBody req, String field, String problem) {
    throw req.invalid(field, problem);
  }
}
