package io.zeroscale.gateway.auth;

import java.util.List;

/**
 * Who may reach a path: the one list of public paths, and the rule for management endpoints.
 * Everything else needs a valid key (an allowlist: a path added later is protected by default), and
 * its handler checks the scopes it needs.
 *
 * <p>Public: exactly {@code /actuator/health} (as normalized: {@code /actuator/health/} and {@code
 * /actuator;v=1/health} too). SPEC §10 has load balancers probe it on the main port without a key.
 * The paths below it are not public: with components hidden and the probe groups off, none of them
 * answers anything but an empty 404, and an operator who turns on groups (e.g. {@code
 * /actuator/health/readiness}) can open them here, in this one list.
 *
 * <p>Also public: {@code /console} and everything below it, the web console's page shell and static
 * files ({@code console.ConsoleHandler}, GET and HEAD only). They hold no data; the pages call the
 * API with the key the user signs in with, where every check below applies.
 *
 * <p>Management: every other {@code /actuator} path ({@code /actuator/prometheus} lists every
 * tenant's deployments and traffic) needs a platform key with the {@code metrics} or {@code admin}
 * scope. This holds on a separate management port too ({@code management.server.port}): the
 * management server runs the same web filters.
 */
public final class PathAccess {

  /** What a request needs before it may go on. */
  public enum Access {
    /** Nothing: served without a key. */
    PUBLIC,
    /** A valid key; the handler checks scopes. */
    KEY,
    /** A key with the {@code metrics} (or {@code admin}) scope. */
    MANAGEMENT
  }

  /** Spring Boot's actuator base path; the gateway supports only the default. */
  public static final String MANAGEMENT_BASE_PATH = "/actuator";

  private static final List<String> MANAGEMENT = List.of("actuator");

  /** The web console's prefix: public, with everything below it. */
  private static final List<String> CONSOLE = List.of("console");

  /** The public paths, exactly (nothing below them). */
  private static final List<List<String>> PUBLIC = List.of(List.of("actuator", "health"));

  private PathAccess() {}

  /**
   * Refuses a management base path other than {@value #MANAGEMENT_BASE_PATH}: health must stay at
   * {@code /actuator/health} (SPEC §10), and this class knows the management endpoints by it.
   */
  public static void requireDefaultBasePath(String configured) {
    if (!MANAGEMENT_BASE_PATH.equals(configured)) {
      throw new IllegalArgumentException(
          "management.endpoints.web.base-path must be "
              + MANAGEMENT_BASE_PATH
              + " (the gateway keeps /actuator/health public and protects the other management"
              + " endpoints by that path), got '"
              + configured
              + "'");
    }
  }

  public static Access of(NormalizedPath path) {
    if (PUBLIC.contains(path.segments()) || path.startsWith(CONSOLE)) {
      return Access.PUBLIC;
    }
    return path.startsWith(MANAGEMENT) ? Access.MANAGEMENT : Access.KEY;
  }
}
