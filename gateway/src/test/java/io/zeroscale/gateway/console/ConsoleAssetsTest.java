package io.zeroscale.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleAssetsTest {

  @Test
  void typesComeFromTheExtensionAndOthersAreRefused() {
    assertThat(ConsoleAssets.contentType("a/b.js")).isEqualTo("text/javascript;charset=utf-8");
    assertThat(ConsoleAssets.contentType("index.html")).isEqualTo("text/html;charset=utf-8");
    assertThat(ConsoleAssets.contentType("x.svg")).isEqualTo("image/svg+xml");
    assertThat(ConsoleAssets.contentType("notes.txt")).isNull();
    assertThat(ConsoleAssets.contentType("Makefile")).isNull();
    assertThatThrownBy(() -> ConsoleAssets.builder().put("x.jsp", new byte[0]))
        .hasMessageContaining("'x.jsp'");
  }

  @Test
  void theEtagFollowsTheContentAndTheBytesAreCopied() {
    byte[] bytes = "a".getBytes(StandardCharsets.UTF_8);
    ConsoleAssets assets =
        ConsoleAssets.builder().put("a.js", bytes).put("b.js", new byte[] {'a'}).build();
    bytes[0] = 'z';
    ConsoleAssets.Asset a = assets.find("a.js").orElseThrow();
    assertThat(new String(a.bytes(), StandardCharsets.UTF_8)).isEqualTo("a");
    assertThat(a.etag())
        .isEqualTo(assets.find("b.js").orElseThrow().etag())
        .matches("\"[0-9a-f]{32}\"");
    assertThat(
            ConsoleAssets.builder()
                .put("c.js", new byte[] {'c'})
                .build()
                .find("c.js")
                .orElseThrow()
                .etag())
        .isNotEqualTo(a.etag());
    assertThat(assets.find("../a.js")).isEmpty();
    assertThat(assets.size()).isEqualTo(2);
  }

  @Test
  void routesMatchWholeSegments() {
    ConsoleRoutes routes =
        new ConsoleRoutes(List.of("", "models", "deployments/:id", "admin/tenants"));
    assertThat(routes.matches(List.of())).isTrue();
    assertThat(routes.matches(List.of("models"))).isTrue();
    assertThat(routes.matches(List.of("deployments", "x"))).isTrue();
    assertThat(routes.matches(List.of("deployments"))).isFalse();
    assertThat(routes.matches(List.of("deployments", "x", "y"))).isFalse();
    assertThat(routes.matches(List.of("admin", "tenants"))).isTrue();
    assertThat(routes.matches(List.of("admin"))).isFalse();
    assertThat(routes.matches(List.of("Models"))).isFalse();
  }
}
