package io.zeroscale.gateway.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the console's files from the classpath at start-up: the pages under {@code console/}, and
 * from the uPlot WebJar ({@code org.webjars.npm:uplot}) its two files, served as {@code
 * /console/vendor/uPlot.iife.min.js} and {@code /console/vendor/uPlot.min.css} whatever its
 * version. A missing file fails start-up rather than a page later.
 */
@Configuration(proxyBeanMethods = false)
public class ConsoleConfiguration {

  private static final String CLASSPATH_ROOT = "console/";
  private static final String UPLOT = "META-INF/resources/webjars/uplot/*/dist/";
  private static final List<String> UPLOT_FILES = List.of("uPlot.iife.min.js", "uPlot.min.css");

  @Bean
  RouterFunction<ServerResponse> consoleRoutes(JsonMapper json) {
    ConsoleAssets assets = load(new PathMatchingResourcePatternResolver());
    ConsoleRoutes routes = routes(json, assets);
    ConsoleHandler handler = new ConsoleHandler(assets, routes);
    return RouterFunctions.route(RequestPredicates.path(ConsoleHandler.BASE + "/**"), handler);
  }

  static ConsoleAssets load(PathMatchingResourcePatternResolver resolver) {
    try {
      ConsoleAssets.Builder builder = ConsoleAssets.builder();
      String root = resolver.getResource("classpath:" + CLASSPATH_ROOT).getURL().toString();
      for (Resource resource : resolver.getResources("classpath:" + CLASSPATH_ROOT + "**/*.*")) {
        String url = resource.getURL().toString();
        if (!url.startsWith(root)) {
          throw new IllegalStateException("console file outside " + root + ": " + url);
        }
        builder.put(url.substring(root.length()), resource.getInputStream());
      }
      for (String name : UPLOT_FILES) {
        Resource[] found = resolver.getResources("classpath*:" + UPLOT + name);
        if (found.length != 1) {
          throw new IllegalStateException(
              "expected one uPlot WebJar with " + name + ", found " + found.length);
        }
        builder.put("vendor/" + name, found[0].getInputStream());
      }
      return builder.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the console's files", e);
    }
  }

  /** The page patterns of {@code assets/routes.json}: {@code [{"path":"deployments/:id",…},…]}. */
  static ConsoleRoutes routes(JsonMapper json, ConsoleAssets assets) {
    byte[] bytes =
        assets
            .find("assets/routes.json")
            .orElseThrow(() -> new IllegalStateException("the console has no routes.json"))
            .bytes();
    List<String> patterns = new ArrayList<>();
    for (JsonNode route : json.readTree(bytes)) {
      patterns.add(route.get("path").asString());
    }
    return new ConsoleRoutes(patterns);
  }
}
