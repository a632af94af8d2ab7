package io.zeroscale.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

  private final ApiKeys keys = new ApiKeys(new SecureRandom());

  @Test
  void secretsHaveThePrefixTheLengthAndAreUnique() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String secret = keys.newSecret();
      assertThat(secret).startsWith("zs-").hasSize(43);
      assertThat(ApiKeys.looksLikeSecret(secret)).isTrue();
      assertThat(seen.add(secret)).isTrue();
    }
  }

  @Test
  void hashIsHexSha256AndStable() {
    // echo -n abc | sha256sum
    assertThat(ApiKeys.hash("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void matchesOnlyTheRightSecret() {
    String secret = keys.newSecret();
    String stored = ApiKeys.hash(secret);
    assertThat(ApiKeys.matches(secret, stored)).isTrue();
    assertThat(ApiKeys.matches(secret + "x", stored)).isFalse();
    assertThat(ApiKeys.matches(keys.newSecret(), stored)).isFalse();
  }

  @Test
  void displayPrefixRevealsOnlyEightCharactersOfTheSecret() {
    assertThat(ApiKeys.displayPrefix("zs-ABCDEFGHijklmnop")).isEqualTo("zs-ABCDEFGH");
    assertThat(ApiKeys.displayPrefix("zs-AB")).isEqualTo("zs-AB");
  }

  @Test
  void rejectsStringsThatAreNotOurSecrets() {
    assertThat(ApiKeys.looksLikeSecret(null)).isFalse();
    assertThat(ApiKeys.looksLikeSecret("sk-" + "a".repeat(40))).isFalse();
    assertThat(ApiKeys.looksLikeSecret("zs-" + "a".repeat(39))).isFalse();
    assertThat(ApiKeys.looksLikeSecret("zs-" + "a".repeat(39) + "!")).isFalse();
  }

  @Test
  void anAdminKeyNeedsThirtyTwoCharacters() {
    assertThat(ApiKeys.adminKeyProblem(null)).as("unset").isEmpty();
    assertThat(ApiKeys.adminKeyProblem("  ")).as("blank: unset").isEmpty();
    assertThat(ApiKeys.adminKeyProblem("x".repeat(32))).isEmpty();
    assertThat(ApiKeys.adminKeyProblem(keys.newSecret())).as("a generated key").isEmpty();
    assertThat(ApiKeys.adminKeyProblem("zs-bench-admin-key-0123456789"))
        .get()
        .asString()
        .contains("ZEROSCALE_ADMIN_KEY")
        .contains("at least 32 characters")
        .contains("got 29")
        .doesNotContain("zs-bench");
    assertThat(ApiKeys.adminKeyProblem("x".repeat(31))).isPresent();
  }
}
