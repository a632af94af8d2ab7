package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * docs/api.md is the API's reference: every route the code maps is documented there as a heading
 * {@code ### `METHOD /path`}, and every documented route exists in the code.
 */
class ApiDocsTest {

  private static final Path DOC = Path.of("..", "docs", "api.md");
  private static final Pattern HEADING = Pattern.compile("(?m)^### `([A-Z]+) (/[^`]*)`");

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws Exception {
    assertThat(documented()).isEqualTo(mapped());
  }

  static Set<String> documented() throws IOException {
    Set<String> out = new TreeSet<>();
    Matcher m = HEADING.matcher(Files.readString(DOC));
    while (m.find()) {
      out.add(m.group(1) + " " + m.group(2));
    }
    return out;
  }

  static Set<String> mapped() throws Exception {
    ClassPathScanningCandidateComponentProvider scanner =
        new ClassPathScanningCandidateComponentProvider(false);
    scanner.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
    Set<String> out = new TreeSet<>();
    for (BeanDefinition bd : scanner.findCandidateComponents("io.zeroscale")) {
      Class<?> type = Class.forName(bd.getBeanClassName());
      if (type.getProtectionDomain()
          .getCodeSource()
          .getLocation()
          .getPath()
          .contains("test-classes")) {
        continue;
      }
      List<String> prefixes =
          paths(AnnotatedElementUtils.findMergedAnnotation(type, RequestMapping.class));
      for (Method method : type.getDeclaredMethods()) {
        RequestMapping rm =
            AnnotatedElementUtils.findMergedAnnotation(method, RequestMapping.class);
        if (rm == null) {
          continue;
        }
        for (RequestMethod verb : rm.method()) {
          for (String prefix : prefixes) {
            for (String path : paths(rm)) {
              out.add(verb.name() + " " + prefix + path);
            }
          }
        }
      }
    }
    return out;
  }

  private static List<String> paths(RequestMapping rm) {
    List<String> out = new ArrayList<>();
    if (rm == null || rm.path().length == 0) {
      out.add("");
      return out;
    }
    out.addAll(List.of(rm.path()));
    return out;
  }
}
