package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PgHbaTest {

  @Test
  void theSteadyStateAdmitsOnlyThePostgresRoleWithItsPassword() {
    List<String> rules = rules(PgHba.scram());
    assertThat(rules)
        .containsExactly(
            "local all postgres scram-sha-256",
            "host all postgres 127.0.0.1/32 scram-sha-256",
            "host all postgres ::1/128 scram-sha-256");
    assertThat(PgHba.isScram(PgHba.scram())).isTrue();
  }

  @Test
  void theUpgradeStartTrustsOnlyThePostgresRoleOnLoopbackAndIsNotTakenForTheSteadyState() {
    assertThat(rules(PgHba.upgrading()))
        .containsExactly(
            "local all postgres trust",
            "host all postgres 127.0.0.1/32 trust",
            "host all postgres ::1/128 trust");
    assertThat(PgHba.isScram(PgHba.upgrading())).isFalse();
  }

  @Test
  void initdbsTrustFileIsNotOurs() {
    String initdb =
        "# PostgreSQL Client Authentication Configuration File\n"
            + "local   all             all                                     trust\n"
            + "host    all             all             127.0.0.1/32            trust\n";
    assertThat(PgHba.isScram(initdb)).isFalse();
    assertThat(PgHba.isScram("")).isFalse();
  }

  /** The rule lines, comments dropped and whitespace collapsed. */
  private static List<String> rules(String hba) {
    return hba.lines()
        .filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> l.strip().replaceAll("\\s+", " "))
        .toList();
  }

  @Test
  void aRefusedPasswordIsToldApartFromOtherStartFailures() {
    Exception refused =
        new java.io.IOException(
            "Gave up waiting for server to start after 60000ms",
            new java.sql.SQLException(
                "FATAL: password authentication failed for user \"postgres\""));
    assertThat(EmbeddedInfrastructure.causedByRefusedPassword(refused)).isTrue();
    assertThat(
            EmbeddedInfrastructure.causedByRefusedPassword(
                new java.io.IOException("Gave up", new java.sql.SQLException("connect failed"))))
        .isFalse();
  }
}
