package io.zeroscale.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The console's real files, as the gateway loads them: every page routes.json names exists, the
 * shell references only files that are served, and no file uses what the Content-Security-Policy
 * forbids or what would parse a tenant's string as markup.
 */
class ConsoleFilesTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static ConsoleAssets assets;
  private static List<String> files;

  @BeforeAll
  static void load() throws Exception {
    assets = ConsoleConfiguration.load(new PathMatchingResourcePatternResolver());
    files = new ArrayList<>();
    var resolver = new PathMatchingResourcePatternResolver();
    String root = resolver.getResource("classpath:console/").getURL().toString();
    for (var r : resolver.getResources("classpath:console/**/*.*")) {
      files.add(r.getURL().toString().substring(root.length()));
    }
  }

  private static String text(String path) {
    return new String(assets.find(path).orElseThrow().bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void everyRouteHasItsPageModule() {
    JsonNode routes = JSON.readTree(text("assets/routes.json"));
    assertThat(routes.size()).isGreaterThan(5);
    for (JsonNode route : routes) {
      String page = route.get("page").asString();
      assertThat(assets.find("assets/js/pages/" + page + ".js")).as(page).isPresent();
    }
    ConsoleRoutes parsed = ConsoleConfiguration.routes(JSON, assets);
    assertThat(parsed.matches(List.of("deployments", "x"))).isTrue();
  }

  @Test
  void theShellReferencesOnlyServedFilesAndHasNoInlineCode() {
    String index = text("index.html");
    Matcher refs = Pattern.compile("(?:src|href)=\"/console/([^\"]+)\"").matcher(index);
    int found = 0;
    while (refs.find()) {
      found++;
      assertThat(assets.find(refs.group(1))).as(refs.group(1)).isPresent();
    }
    assertThat(found).isGreaterThanOrEqualTo(4);
    assertThat(index).doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>");
    assertThat(index).doesNotContainPattern("\\sstyle=").doesNotContainPattern("\\son[a-z]+=");
    assertThat(assets.find("vendor/uPlot.iife.min.js")).isPresent();
  }

  @Test
  void noScriptParsesMarkupOrEvaluatesCode() {
    List<String> scripts = files.stream().filter(f -> f.endsWith(".js")).toList();
    assertThat(scripts).contains("assets/js/app.js", "assets/js/dom.js", "assets/js/api.js");
    Pattern forbidden =
        Pattern.compile(
            "\\.innerHTML|\\.outerHTML|insertAdjacentHTML|document\\.write|\\beval\\(|new Function\\("
                + "|setAttribute\\(\\s*['\"]style|DOMParser|createContextualFragment|srcdoc");
    for (String script : scripts) {
      String code = text(script);
      assertThat(forbidden.matcher(code).find())
          .as(script + " uses " + (forbidden.matcher(code).find() ? match(forbidden, code) : ""))
          .isFalse();
    }
  }

  @Test
  void theKeyIsKeptForTheTabOnly() {
    String api = text("assets/js/api.js");
    assertThat(api).contains("sessionStorage").doesNotContain("localStorage");
    for (String f : files) {
      if (f.endsWith(".js")) {
        assertThat(text(f)).as(f).doesNotContain("localStorage").doesNotContain("document.cookie");
      }
    }
  }

  private static String match(Pattern p, String code) {
    Matcher m = p.matcher(code);
    return m.find() ? m.group() : "";
  }
}
