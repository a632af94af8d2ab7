package io.zeroscale.gateway.auth;

import java.util.Collection;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The scopes a key may hold (SPEC §4) and what each allows ({@link Scope} the fixed ones).
 *
 * <ul>
 *   <li>{@code inference:*} every model of the tenant; {@code inference:<model_name>} one model
 *   <li>{@code deployments:read} the model library, hardware and deployments, read only; {@code
 *       deployments:write} also create, change and delete (it implies read)
 *   <li>{@code usage:read} the tenant's usage, invoices and billing settings; {@code billing:write}
 *       also changes the billing settings (its own spend limit, under the administrator's, and the
 *       alert threshold)
 *   <li>{@code keys:read} the tenant's API keys, listed without secrets; {@code keys:write} also
 *       create, revoke and rotate them (it implies read), never beyond the creating key's own
 *       scopes, expiry and rate limits
 *   <li>{@code admin}, {@code finance} and {@code metrics}: platform scopes, only on keys that
 *       belong to no tenant (admin: the whole admin API and everything else; finance: all tenants'
 *       invoices; metrics: the management endpoints such as {@code /actuator/prometheus}, which
 *       show every tenant's traffic)
 * </ul>
 */
public final class Scopes {

  /** What a per-model scope starts with: {@code inference:<model_name>}. */
  public static final String INFERENCE_PREFIX = "inference:";

  /** Same rule as a deployment's model_name. */
  private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private Scopes() {}

  /**
   * Why a scope list is not acceptable for a key of this kind, if it is not: empty, unknown scopes,
   * or platform and tenant scopes mixed up.
   */
  public static Optional<String> problem(Collection<String> scopes, boolean tenantKey) {
    if (scopes == null || scopes.isEmpty()) {
      return Optional.of("scopes must list at least one scope");
    }
    for (String s : scopes) {
      Optional<Scope> fixed = Scope.fromWire(s);
      boolean platform = fixed.isPresent() && fixed.get().platform();
      boolean tenantScope = fixed.isPresent() ? !platform : isInferenceOne(s);
      if (!tenantScope && !platform) {
        return Optional.of(
            "unknown scope '"
                + s
                + "'; known: inference:*, inference:<model_name>, deployments:read,"
                + " deployments:write, usage:read, billing:write, keys:read, keys:write, admin,"
                + " finance, metrics");
      }
      if (tenantKey && platform) {
        return Optional.of(
            "scope '" + s + "' is a platform scope; create it with POST /admin/v1/keys");
      }
      if (!tenantKey && tenantScope) {
        return Optional.of(
            "scope '"
                + s
                + "' needs a tenant; create it with POST /admin/v1/tenants/{tenant}/keys");
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a key holding {@code held} holds {@code scope} too, directly or through a broader one:
   * {@code inference:*} covers every {@code inference:<model_name>}, {@code deployments:write}
   * covers {@code deployments:read}, {@code keys:write} covers {@code keys:read}. This is what a
   * key may hand on to a key it creates.
   */
  public static boolean covers(Collection<String> held, String scope) {
    if (held.contains(scope)) {
      return true;
    }
    if (isInferenceOne(scope)) {
      return held.contains(Scope.INFERENCE_ALL.wire());
    }
    return Scope.fromWire(scope)
        .map(
            s ->
                switch (s) {
                  case DEPLOYMENTS_READ -> held.contains(Scope.DEPLOYMENTS_WRITE.wire());
                  case KEYS_READ -> held.contains(Scope.KEYS_WRITE.wire());
                  default -> false;
                })
        .orElse(false);
  }

  private static boolean isInferenceOne(String s) {
    return s.startsWith(INFERENCE_PREFIX)
        && MODEL_NAME.matcher(s.substring(INFERENCE_PREFIX.length())).matches();
  }
}
