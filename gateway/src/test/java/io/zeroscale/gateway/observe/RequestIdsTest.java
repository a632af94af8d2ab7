package io.zeroscale.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a",
        "0f8fad5b-d9cb-469f-a165-70867728950e",
        "req_abc.DEF:123_x-y",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      })
  void aSaneClientIdIsKept(String id) {
    assertThat(RequestIds.incomingOrNew(id)).isSameAs(id);
  }

  @Test
  void exactly128CharactersIsStillSane() {
    String id = "x".repeat(128);
    assertThat(RequestIds.incomingOrNew(id)).isSameAs(id);
    assertThat(RequestIds.incomingOrNew(id + "x")).startsWith("req_");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        " ",
        "has space",
        "line\nbreak",
        "cr\r",
        "tab\t",
        "é",
        "<script>",
        "a/b",
        "a,b",
        "a;b",
        "a\"b",
        "key=value",
      })
  void anythingElseIsReplaced(String id) {
    String out = RequestIds.incomingOrNew(id);
    assertThat(out).matches("req_[0-9A-Za-z]{24}");
  }

  @Test
  void newIdsAreBase62AndDistinct() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      String id = RequestIds.newId();
      assertThat(id).hasSize(28);
      assertThat(seen.add(id)).isTrue();
    }
    Set<Character> chars = new HashSet<>();
    for (String id : seen) {
      for (char c : id.substring(4).toCharArray()) {
        chars.add(c);
      }
    }
    assertThat(chars).hasSize(62);
  }

  @Test
  void theSameRandomSequenceGivesTheSameId() {
    assertThat(RequestIds.newId(new Random(1))).isEqualTo(RequestIds.newId(new Random(1)));
    assertThat(RequestIds.newId(new Random(1))).isNotEqualTo(RequestIds.newId(new Random(2)));
  }
}
