package io.zeroscale.gateway.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class KeyGrantsTest {

  private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");
  private static final Principal.Limits NONE = Principal.Limits.INHERIT;

  private static KeyGrants.Grant grant(Set<String> scopes, Instant expiresAt, Integer rpm) {
    return new KeyGrants.Grant(scopes, expiresAt, new Principal.Limits(rpm, null));
  }

  @Test
  void aKeyHandsOnOnlyScopesItHoldsDirectlyOrThroughABroaderOne() {
    KeyGrants.Grant holder =
        grant(Set.of("inference:*", "deployments:write", "keys:write"), null, null);
    assertThat(
            KeyGrants.scopes(
                holder,
                List.of(
                    "inference:*",
                    "inference:chat",
                    "deployments:read",
                    "deployments:write",
                    "keys:read",
                    "keys:write")))
        .isEmpty();

    Optional<KeyGrants.Refusal> usage =
        KeyGrants.scopes(holder, List.of("inference:x", "usage:read"));
    assertThat(usage).isPresent();
    assertThat(usage.get().status()).isEqualTo(403);
    assertThat(usage.get().param()).isEqualTo("scopes");
    assertThat(usage.get().code()).isEqualTo("insufficient_scope");
    assertThat(usage.get().message()).contains("'usage:read'");

    // Narrower never covers broader: one model is not all, read is not write.
    KeyGrants.Grant narrow =
        grant(Set.of("inference:chat", "deployments:read", "keys:read"), null, null);
    assertThat(KeyGrants.scopes(narrow, List.of("inference:*"))).isPresent();
    assertThat(KeyGrants.scopes(narrow, List.of("inference:other"))).isPresent();
    assertThat(KeyGrants.scopes(narrow, List.of("deployments:write"))).isPresent();
    assertThat(KeyGrants.scopes(narrow, List.of("keys:write"))).isPresent();
    assertThat(KeyGrants.scopes(narrow, List.of("inference:chat", "keys:read"))).isEmpty();
  }

  @Test
  void aKeyThatExpiresCreatesKeysThatExpireNoLater() {
    KeyGrants.Grant forever = grant(Set.of("keys:write"), null, null);
    assertThat(KeyGrants.expiry(forever, null)).isEmpty();
    assertThat(KeyGrants.expiry(forever, T.plus(Duration.ofDays(9000)))).isEmpty();

    KeyGrants.Grant expiring = grant(Set.of("keys:write"), T, null);
    assertThat(KeyGrants.expiry(expiring, T)).isEmpty();
    assertThat(KeyGrants.expiry(expiring, T.minusSeconds(1))).isEmpty();
    KeyGrants.Refusal later = KeyGrants.expiry(expiring, T.plusSeconds(1)).orElseThrow();
    assertThat(later.status()).isEqualTo(403);
    assertThat(later.param()).isEqualTo("expires_at");
    assertThat(later.code()).isEqualTo("exceeds_own_key");
    assertThat(later.message()).contains(T.toString());
    KeyGrants.Refusal never = KeyGrants.expiry(expiring, null).orElseThrow();
    assertThat(never.param()).isEqualTo("expires_at");
    assertThat(never.message()).contains("never expires");
  }

  @Test
  void limitsAreCopiedDownWhenAbsentAndRefusedAboveTheCreatorsOwn() {
    // Absent fields take the creator's own (key, else tenant) so inheriting cannot raise them.
    Principal.Limits creator = new Principal.Limits(60, null);
    assertThat(KeyGrants.limitsToStore(NONE, creator)).isEqualTo(creator);
    assertThat(KeyGrants.limitsToStore(new Principal.Limits(10, 2), creator))
        .isEqualTo(new Principal.Limits(10, 2));

    KeyGrants.Grant holder =
        new KeyGrants.Grant(Set.of("keys:write"), null, new Principal.Limits(60, 4));
    assertThat(KeyGrants.limits(holder, new Principal.Limits(60, 4))).isEmpty();
    assertThat(KeyGrants.limits(holder, new Principal.Limits(1, null))).isEmpty();
    KeyGrants.Refusal rpm = KeyGrants.limits(holder, new Principal.Limits(61, 1)).orElseThrow();
    assertThat(rpm.status()).isEqualTo(403);
    assertThat(rpm.param()).isEqualTo("requests_per_minute");
    assertThat(rpm.code()).isEqualTo("exceeds_own_key");
    KeyGrants.Refusal concurrent =
        KeyGrants.limits(holder, new Principal.Limits(null, 5)).orElseThrow();
    assertThat(concurrent.param()).isEqualTo("max_concurrent_requests");

    // A creator without limits (none anywhere) may set any.
    KeyGrants.Grant unlimited = grant(Set.of("keys:write"), null, null);
    assertThat(KeyGrants.limits(unlimited, new Principal.Limits(1_000_000, 1_000_000))).isEmpty();
  }

  @Test
  void theConfiguredDefaultIsTheCreatorsLimitWhenNeitherKeyNorTenantSetsOne() {
    UUID tenant = UUID.randomUUID();
    Principal caller =
        new Principal(UUID.randomUUID(), tenant, "acme", Set.of("keys:write"), NONE, T);
    KeyGrants.Grant holder = KeyGrants.Grant.of(caller, new Principal.Limits(100, null));
    assertThat(holder.limits()).isEqualTo(new Principal.Limits(100, null));
    assertThat(holder.expiresAt()).isEqualTo(T);
    assertThat(KeyGrants.limits(holder, new Principal.Limits(101, null))).isPresent();
    assertThat(KeyGrants.limits(holder, new Principal.Limits(100, 50))).isEmpty();
  }

  @Test
  void aKeyRotatesOrRevokesOnlyKeysWithinItsOwnGrantAndAlwaysItself() {
    KeyGrants.Grant holder = grant(Set.of("inference:*", "keys:write"), T, 60);
    assertThat(KeyGrants.manages(holder, grant(Set.of("inference:chat"), T, 60), false)).isEmpty();
    assertThat(KeyGrants.manages(holder, grant(Set.of("keys:read"), T.minusSeconds(1), 1), false))
        .isEmpty();

    // Broader in any way: scopes, expiry (later or never), limits (higher or none).
    for (KeyGrants.Grant broader :
        List.of(
            grant(Set.of("inference:*", "usage:read"), T, 60),
            grant(Set.of("inference:*"), T.plusSeconds(1), 60),
            grant(Set.of("inference:*"), null, 60),
            grant(Set.of("inference:*"), T, 61),
            grant(Set.of("inference:*"), T, null))) {
      KeyGrants.Refusal r = KeyGrants.manages(holder, broader, false).orElseThrow();
      assertThat(r.status()).as(broader.toString()).isEqualTo(403);
      assertThat(r.code()).isEqualTo("insufficient_scope");
      // ...but a key may always rotate or revoke itself.
      assertThat(KeyGrants.manages(holder, broader, true)).isEmpty();
    }
  }

  @Test
  void aRotatedOutSecretReadsButManagesNoKeyNotEvenItsOwn() {
    UUID keyId = UUID.randomUUID();
    UUID tenant = UUID.randomUUID();
    Set<String> scopes = Set.of("inference:*", "keys:write");
    Principal current = new Principal(keyId, tenant, "acme", scopes, NONE, null, false);
    Principal previous = new Principal(keyId, tenant, "acme", scopes, NONE, T, true);

    // The current secret is its key, and may manage keys.
    assertThat(current.isKey(keyId)).isTrue();
    assertThat(current.requireKeysWrite()).isEqualTo(tenant);

    // The previous secret (during its rotation grace) reads and calls models...
    assertThat(previous.requireKeysRead()).isEqualTo(tenant);
    assertThat(previous.mayInfer("chat")).isTrue();
    // ...but is never its key (the "a key always manages itself" rule does not apply)...
    assertThat(previous.isKey(keyId)).isFalse();
    KeyGrants.Grant holder = KeyGrants.Grant.of(previous, NONE);
    KeyGrants.Grant itself = new KeyGrants.Grant(scopes, null, NONE);
    assertThat(KeyGrants.manages(holder, itself, previous.isKey(keyId))).isPresent();
    // ...and may not create, rotate or revoke any key: 403 with its own code and a clear message.
    assertThatThrownBy(previous::requireKeysWrite)
        .isInstanceOfSatisfying(
            ZeroscaleException.class,
            e -> {
              assertThat(e.error().status()).isEqualTo(403);
              assertThat(e.error().code()).isEqualTo(Principal.PREVIOUS_SECRET_CODE);
              assertThat(e.error().message())
                  .contains("previous secret")
                  .contains("current secret");
            });
  }

  @Test
  void graceIsTheConfiguredDefaultOrTheAskedSecondsWithinTheMaximum() {
    Duration configured = Duration.ofMinutes(5);
    Duration max = Duration.ofHours(1);
    assertThat(KeyGrants.grace(null, configured, max)).isEqualTo(configured);
    assertThat(KeyGrants.grace(0, configured, max)).isZero();
    assertThat(KeyGrants.grace(3600, configured, max)).isEqualTo(max);
    for (int bad : new int[] {-1, 3601, Integer.MAX_VALUE}) {
      assertThatThrownBy(() -> KeyGrants.grace(bad, configured, max))
          .isInstanceOfSatisfying(
              ZeroscaleException.class,
              e -> {
                assertThat(e.error().status()).isEqualTo(422);
                assertThat(e.error().param()).isEqualTo("grace_s");
                assertThat(e.error().code()).isEqualTo("invalid_value");
              });
    }
  }
}
