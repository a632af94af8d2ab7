package io.zeroscale.standalone;

/**
 * The {@code pg_hba.conf} of the embedded PostgreSQL, written by us at every start (zonky's initdb
 * writes {@code trust} for everyone, which let any local process connect as the superuser).
 *
 * <p>Only the {@code postgres} role may connect, and only with its password (SCRAM-SHA-256), over
 * loopback TCP or the Unix socket. A role that someone managed to create can never log in.
 */
final class PgHba {

  /** The first line of every file we write: how a start tells our file from initdb's. */
  static final String MARKER = "# zeroscale: scram-sha-256";

  private PgHba() {}

  /** The steady state: password authentication only. */
  static String scram() {
    return MARKER
        + "\n"
        + "# Written by Zeroscale at every start; edits are lost. The password is in"
        + " $ZEROSCALE_HOME/postgres-password.\n"
        + "local all postgres scram-sha-256\n"
        + "host  all postgres 127.0.0.1/32 scram-sha-256\n"
        + "host  all postgres ::1/128 scram-sha-256\n";
  }

  /**
   * For the one start that upgrades a data folder made by an older version (initdb's {@code trust},
   * no password set): {@code trust} for the {@code postgres} role over loopback, just long enough
   * for us to set the password; then {@link #scram()} replaces it and the server reloads. Narrower
   * than what the older version ran with all along (every role, every address it had).
   */
  static String upgrading() {
    return "# Written by Zeroscale for one start: set the generated password, then scram-sha-256.\n"
        + "local all postgres trust\n"
        + "host  all postgres 127.0.0.1/32 trust\n"
        + "host  all postgres ::1/128 trust\n";
  }

  /** True when {@code content} is a file that {@link #scram()} wrote. */
  static boolean isScram(String content) {
    return content.startsWith(MARKER + "\n");
  }
}
