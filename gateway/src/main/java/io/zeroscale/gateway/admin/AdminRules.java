package io.zeroscale.gateway.admin;

import static io.zeroscale.gateway.web.InputBounds.echo;

import io.zeroscale.gateway.auth.Scopes;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Validation of admin requests: pure functions answering the problem, if any, as text. */
public final class AdminRules {

  /** DNS-label style: it appears in full model names and invoice numbers. */
  static final Pattern TENANT_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  static final int MAX_GPU_QUOTA = 10_000;

  /** A billion dollars a month is a typo, not a limit. */
  static final BigDecimal MAX_SPEND_LIMIT_USD = new BigDecimal("1000000000");

  private AdminRules() {}

  static Optional<String> tenantName(String name) {
    if (!TENANT_NAME.matcher(name).matches()) {
      return Optional.of(
          "name must be 1-63 characters of lowercase letters, digits and '-', starting with a"
              + " letter or digit; got '"
              + echo(name)
              + "'.");
    }
    return Optional.empty();
  }

  static Optional<String> gpuQuota(int quota) {
    if (quota < 0 || quota > MAX_GPU_QUOTA) {
      return Optional.of(
          "gpu_quota must be between 0 and " + MAX_GPU_QUOTA + "; got " + quota + ".");
    }
    return Optional.empty();
  }

  /**
   * A spend limit in USD as integer micro-dollars: exact, non-negative, at most 6 decimals.
   * Example: 12.5 → 12_500_000.
   */
  public static long spendLimitMicros(BigDecimal usd) {
    if (usd.signum() < 0 || usd.compareTo(MAX_SPEND_LIMIT_USD) > 0) {
      throw new IllegalArgumentException(
          "spend_limit_usd must be between 0 and "
              + MAX_SPEND_LIMIT_USD
              + "; got "
              + echo(usd)
              + ".");
    }
    if (usd.stripTrailingZeros().scale() > 6) {
      throw new IllegalArgumentException(
          "spend_limit_usd has more than 6 decimals (micro-dollars); got " + echo(usd) + ".");
    }
    return usd.movePointRight(6).longValueExact();
  }

  /**
   * Bounds of {@code requests_per_minute} and {@code max_concurrent_requests}. Zero would refuse
   * every request (revoke the key instead); a million a minute (~16.7k per second) for one key is a
   * typo, not a limit.
   */
  static final int MAX_RATE_LIMIT = 1_000_000;

  /** A rate limit's value; null (inherit from the tenant or the configured default) is fine. */
  static Optional<String> rateLimit(String field, Integer value) {
    if (value != null && (value < 1 || value > MAX_RATE_LIMIT)) {
      return Optional.of(
          field + " must be between 1 and " + MAX_RATE_LIMIT + ", or null; got " + value + ".");
    }
    return Optional.empty();
  }

  static Optional<String> keyName(String name) {
    if (name.isBlank() || name.length() > 100) {
      return Optional.of("name must be 1-100 characters.");
    }
    return Optional.empty();
  }

  /**
   * The longest valid scope: {@code inference:} and a 128-character model name. A longer one is
   * refused here, quoted briefly, rather than quoted in full by {@link Scopes#problem}.
   */
  static final int MAX_SCOPE_LENGTH = Scopes.INFERENCE_PREFIX.length() + 128;

  /**
   * Most scopes one key may list: the nine fixed ones and some ninety single models. A key for more
   * models than that takes {@code inference:*}.
   */
  static final int MAX_SCOPES = 100;

  static Optional<String> scopes(List<String> scopes, boolean tenantKey) {
    if (scopes.size() > MAX_SCOPES) {
      return Optional.of(
          "scopes lists "
              + scopes.size()
              + " scopes; a key takes at most "
              + MAX_SCOPES
              + " (use inference:* for every model).");
    }
    for (String s : scopes) {
      if (s.length() > MAX_SCOPE_LENGTH) {
        return Optional.of(
            "unknown scope '"
                + echo(s)
                + "': a scope is at most "
                + MAX_SCOPE_LENGTH
                + " characters.");
      }
    }
    if (scopes.size() != scopes.stream().distinct().count()) {
      return Optional.of("scopes must not repeat a scope.");
    }
    return Scopes.problem(scopes, tenantKey);
  }

  static Optional<String> expiry(Instant expiresAt, Instant now) {
    if (expiresAt != null && !expiresAt.isAfter(now)) {
      return Optional.of("expires_at must be in the future; got " + expiresAt + ".");
    }
    return Optional.empty();
  }
}
