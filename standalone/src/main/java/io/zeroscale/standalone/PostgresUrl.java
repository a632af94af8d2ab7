package io.zeroscale.standalone;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * An external PostgreSQL location given as {@code ZEROSCALE_POSTGRES_URL}, in any of the forms
 * operators paste: {@code postgresql://user:pass@host:5432/db}, {@code postgres://...}, {@code
 * jdbc:postgresql://host/db} or {@code r2dbc:postgresql://...}. We need it twice: R2DBC for the
 * application, JDBC for Flyway's migrations.
 *
 * @param host host name or address
 * @param port TCP port (5432 when the URL has none)
 * @param database database name
 * @param username user, or null when the URL and configuration have none
 * @param password password, or null
 * @param query the URL's query string (e.g. {@code sslmode=require}), or null
 */
public record PostgresUrl(
    String host, int port, String database, String username, String password, String query) {

  public PostgresUrl {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("PostgreSQL URL has no host");
    }
    if (database == null || database.isBlank()) {
      throw new IllegalArgumentException("PostgreSQL URL has no database name");
    }
  }

  /** Parses any accepted form; user and password in the URL win over none. */
  public static PostgresUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("PostgreSQL URL is empty");
    }
    String rest = url.strip();
    for (String prefix : new String[] {"jdbc:", "r2dbc:"}) {
      if (rest.startsWith(prefix)) {
        rest = rest.substring(prefix.length());
      }
    }
    if (rest.startsWith("postgres://")) {
      rest = "postgresql://" + rest.substring("postgres://".length());
    }
    if (!rest.startsWith("postgresql://")) {
      throw new IllegalArgumentException(
          "PostgreSQL URL must start with postgresql://, postgres://, jdbc:postgresql:// or"
              + " r2dbc:postgresql://, got: "
              + redact(url));
    }
    URI uri = URI.create(rest);
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : null;
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String database = path.startsWith("/") ? path.substring(1) : path;
    int port = uri.getPort() > 0 ? uri.getPort() : 5432;
    return new PostgresUrl(uri.getHost(), port, database, user, password, uri.getRawQuery());
  }

  /** A copy with user/password filled in from configuration where the URL had none. */
  public PostgresUrl withDefaults(String defaultUser, String defaultPassword) {
    return new PostgresUrl(
        host,
        port,
        database,
        username != null ? username : defaultUser,
        password != null ? password : defaultPassword,
        query);
  }

  public String r2dbcUrl() {
    return "r2dbc:postgresql://" + host + ":" + port + "/" + database + suffix();
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database + suffix();
  }

  private String suffix() {
    return query == null || query.isEmpty() ? "" : "?" + query;
  }

  /** The URL with any password removed, safe for logs and error messages. */
  static String redact(String url) {
    return url.replaceAll("://([^:/@]+):[^@]*@", "://$1:***@");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "PostgresUrl[" + jdbcUrl() + ", user=" + username + "]";
  }
}
