package io.zeroscale.gateway.keys;

import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.auth.Scopes;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * What a key may hand on (pure functions): a key never creates, rotates or revokes a key with more
 * than it holds itself, so that no key can ever be worth more than the one that made it.
 *
 * <ul>
 *   <li>scopes: each one held by the key, directly or through a broader one ({@link
 *       Scopes#covers}); else 403 {@code insufficient_scope}
 *   <li>expiry: a key that expires makes keys that expire no later (none is "later"); else 403
 *       {@code exceeds_own_key}
 *   <li>rate limits: none above the key's own in force (its own, else its tenant's, else the
 *       configured default; none of those = no limit); else 403 {@code exceeds_own_key}
 * </ul>
 */
public final class KeyGrants {

  /** The code of a refusal for an expiry or a rate limit beyond the creating key's own. */
  public static final String EXCEEDS_OWN_KEY = "exceeds_own_key";

  static final String RPM = "requests_per_minute";
  static final String CONCURRENT = "max_concurrent_requests";

  private KeyGrants() {}

  /**
   * What a key holds, or what another key would hold.
   *
   * @param scopes its scopes
   * @param expiresAt when it stops working, null for never
   * @param limits the rate limits in force for it (own, else tenant's, else configured default);
   *     null fields: no limit
   */
  public record Grant(Set<String> scopes, Instant expiresAt, Principal.Limits limits) {

    public Grant {
      scopes = Set.copyOf(scopes);
      limits = Principal.Limits.orInherit(limits);
    }

    /** What the calling key holds, its limits resolved down to the configured defaults. */
    public static Grant of(Principal principal, Principal.Limits defaults) {
      return new Grant(
          principal.scopes(), principal.expiresAt(), principal.limits().orElse(defaults));
    }
  }

  /** A refusal: the status, the field it is about (null: the whole request), code and message. */
  public record Refusal(int status, String param, String code, String message) {

    public ZeroscaleException exception() {
      return new ZeroscaleException(OpenAiError.of(status, message, param, code));
    }
  }

  /** Why {@code holder} may not hand on these scopes, if it may not: the first one it lacks. */
  public static Optional<Refusal> scopes(Grant holder, Collection<String> wanted) {
    for (String s : wanted) {
      if (!Scopes.covers(holder.scopes(), s)) {
        return Optional.of(
            new Refusal(
                403,
                "scopes",
                "insufficient_scope",
                "This key lacks the '"
                    + s
                    + "' scope, so it cannot give it to a key it creates; a key gets at most the"
                    + " scopes of the key that creates it."));
      }
    }
    return Optional.empty();
  }

  /** Why {@code holder} may not create a key expiring at {@code wanted} (null: never), if so. */
  public static Optional<Refusal> expiry(Grant holder, Instant wanted) {
    Instant own = holder.expiresAt();
    if (own == null || (wanted != null && !wanted.isAfter(own))) {
      return Optional.empty();
    }
    String asked = wanted == null ? "a key that never expires" : "a key expiring at " + wanted;
    return Optional.of(
        new Refusal(
            403,
            "expires_at",
            EXCEEDS_OWN_KEY,
            "This key expires at "
                + own
                + ", so it cannot create "
                + asked
                + "; set expires_at at or before "
                + own
                + "."));
  }

  /**
   * The rate limits a created key stores: those asked for, and where none is asked for, the
   * creating key's own in force (its own, else its tenant's), so that inheriting can never give the
   * new key more than its creator. Null fields (nothing to copy) inherit as usual.
   *
   * @param asked the body's {@code requests_per_minute} / {@code max_concurrent_requests}
   * @param holderResolved the creating key's limits resolved key → tenant ({@link
   *     Principal#limits()})
   */
  public static Principal.Limits limitsToStore(
      Principal.Limits asked, Principal.Limits holderResolved) {
    return asked.orElse(holderResolved);
  }

  /** Why {@code holder} may not create a key with these (stored) limits, if so. */
  public static Optional<Refusal> limits(Grant holder, Principal.Limits stored) {
    return limit(RPM, holder.limits().requestsPerMinute(), stored.requestsPerMinute())
        .or(
            () ->
                limit(
                    CONCURRENT,
                    holder.limits().maxConcurrentRequests(),
                    stored.maxConcurrentRequests()));
  }

  private static Optional<Refusal> limit(String field, Integer own, Integer wanted) {
    if (own == null || wanted == null || wanted <= own) {
      return Optional.empty();
    }
    return Optional.of(
        new Refusal(
            403,
            field,
            EXCEEDS_OWN_KEY,
            "This key's "
                + field
                + " is "
                + own
                + ", so it cannot create a key with "
                + wanted
                + "; a key gets at most the rate limits of the key that creates it."));
  }

  /**
   * Why {@code holder} may not rotate or revoke a key holding {@code target}, if it may not: a key
   * manages only keys it could have created itself (scopes, expiry and limits within its own), so
   * that rotating a broader key can never hand its new secret to a narrower one. A key always
   * manages itself ({@code self}).
   */
  public static Optional<Refusal> manages(Grant holder, Grant target, boolean self) {
    if (self) {
      return Optional.empty();
    }
    boolean within =
        scopes(holder, target.scopes()).isEmpty()
            && expiry(holder, target.expiresAt()).isEmpty()
            && withinLimit(holder.limits().requestsPerMinute(), target.limits().requestsPerMinute())
            && withinLimit(
                holder.limits().maxConcurrentRequests(), target.limits().maxConcurrentRequests());
    if (within) {
      return Optional.empty();
    }
    return Optional.of(
        new Refusal(
            403,
            null,
            "insufficient_scope",
            "This key may only rotate or revoke keys within its own scopes, expiry and rate"
                + " limits, and this one has more; use a key that holds at least as much."));
  }

  /** A target's limit in force (null: none) is within the holder's (null: none). */
  private static boolean withinLimit(Integer own, Integer target) {
    return own == null || (target != null && target <= own);
  }

  /**
   * The grace of a rotation: {@code asked} seconds ({@code grace_s}), else the configured default;
   * a 422 on {@code grace_s} outside [0, max].
   */
  public static Duration grace(Integer asked, Duration configured, Duration max) {
    if (asked == null) {
      return configured;
    }
    if (asked < 0 || asked > max.toSeconds()) {
      throw new Refusal(
              422,
              "grace_s",
              "invalid_value",
              "grace_s must be between 0 and " + max.toSeconds() + " seconds; got " + asked + ".")
          .exception();
    }
    return Duration.ofSeconds(asked);
  }
}
