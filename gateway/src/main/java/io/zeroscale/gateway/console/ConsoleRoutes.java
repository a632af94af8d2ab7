package io.zeroscale.gateway.console;

import java.util.List;

/**
 * The console's page addresses, read from the same {@code routes.json} the browser's router uses
 * (one list for both): {@code deployments/:id} matches {@code deployments/} and one more segment.
 * The server answers the page shell at each of them with 200, and at any other address below {@code
 * /console/} with 404 (the shell then shows its 404 page), so that a bookmarked page reloads and a
 * mistyped one is a real 404.
 */
public record ConsoleRoutes(List<String> patterns) {

  public ConsoleRoutes {
    patterns = List.copyOf(patterns);
  }

  /** Whether {@code segments} (the path below {@code /console/}, decoded) is a console page. */
  public boolean matches(List<String> segments) {
    for (String pattern : patterns) {
      if (matches(pattern, segments)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(String pattern, List<String> segments) {
    List<String> parts = pattern.isEmpty() ? List.of() : List.of(pattern.split("/"));
    if (parts.size() != segments.size()) {
      return false;
    }
    for (int i = 0; i < parts.size(); i++) {
      String part = parts.get(i);
      String segment = segments.get(i);
      if (part.startsWith(":") ? segment.isEmpty() : !part.equals(segment)) {
        return false;
      }
    }
    return true;
  }
}
