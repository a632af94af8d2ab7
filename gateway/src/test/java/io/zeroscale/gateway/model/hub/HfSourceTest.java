package io.zeroscale.gateway.model.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class HfSourceTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          hf://meta-llama/Llama-2-7b-hf                                 | meta-llama/Llama-2-7b-hf   | main
          hf://meta-llama/Llama-2-7b-hf@v1.0                            | meta-llama/Llama-2-7b-hf   | v1.0
          hf://meta-llama/Llama-2-7b-hf/                                | meta-llama/Llama-2-7b-hf   | main
          hf://org/repo@refs/pr/1                                       | org/repo                   | refs/pr/1
          hf://org/repo@01c7f73d771dfac7d292323805ebc428287df4f9        | org/repo                   | 01c7f73d771dfac7d292323805ebc428287df4f9
          HF://Qwen/Qwen2.5-0.5B-Instruct                               | Qwen/Qwen2.5-0.5B-Instruct | main
          https://huggingface.co/meta-llama/Llama-2-7b-hf               | meta-llama/Llama-2-7b-hf   | main
          https://huggingface.co/meta-llama/Llama-2-7b-hf/              | meta-llama/Llama-2-7b-hf   | main
          http://www.huggingface.co/meta-llama/Llama-2-7b-hf            | meta-llama/Llama-2-7b-hf   | main
          HTTPS://HuggingFace.co/Org/Repo_1                             | Org/Repo_1                 | main
          https://huggingface.co/org/repo/tree/dev                      | org/repo                   | dev
          https://huggingface.co/org/repo/tree/dev/                     | org/repo                   | dev
          https://huggingface.co/org/repo/tree/refs%2Fpr%2F1            | org/repo                   | refs/pr/1
          https://huggingface.co/org/repo?library=transformers#files    | org/repo                   | main
          '  hf://org/repo  '                                           | org/repo                   | main
          """)
  void parsesAcceptedForms(String source, String repo, String revision) {
    HfSource parsed = HfSource.parse(source);

    assertThat(parsed.repo()).isEqualTo(repo);
    assertThat(parsed.revision()).isEqualTo(revision);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          meta-llama/Llama-2-7b-hf                              | neither an hf:// reference nor a huggingface.co URL
          s3://bucket/model                                     | neither an hf:// reference nor a huggingface.co URL
          hf://just-a-name                                      | must be exactly owner/name
          hf://a/b/c                                            | must be exactly owner/name
          hf:///name                                            | owner is empty
          hf://org/repo@                                        | empty revision after '@'
          hf://org/re..po                                       | must not contain '..' or '--'
          hf://org/re--po                                       | must not contain '..' or '--'
          hf://org/-repo                                        | must start and end with a letter, a digit or '_'
          hf://org/repo.                                        | must start and end with a letter, a digit or '_'
          hf://org/rep%20o                                      | may only contain letters, digits, '-', '_' and '.'
          hf://org/repo.git                                     | must not end in '.git'
          hf://org/repo@a..b                                    | must not contain '..' or '//'
          hf://org/repo@feature branch                          | may only contain letters, digits, '-', '_', '.' and '/'
          hf://org/repo@--trust-remote-code                     | must not start with '-'
          hf://org/repo@-x                                      | must not start with '-'
          hf://org/repo@.                                       | each part must not start with '.'
          hf://org/repo@.hidden                                 | each part must not start with '.'
          hf://org/repo@refs/.x                                 | each part must not start with '.'
          hf://org/repo@v1.                                     | must not end with '.'
          hf://org/repo@main.lock                               | must not end with '.lock'
          hf://org/repo@refs/x.lock/y                           | must not end with '.lock'
          hf://org/repo@@                                       | may only contain letters, digits, '-', '_', '.' and '/'
          hf://org/repo@a@{1}                                   | may only contain letters, digits, '-', '_', '.' and '/'
          hf://org/repo@a~1                                     | may only contain letters, digits, '-', '_', '.' and '/'
          hf://org/repo@a:b                                     | may only contain letters, digits, '-', '_', '.' and '/'
          hf://org/repo@a//b                                    | must not contain '..' or '//'
          hf://-org/repo                                        | must start and end with a letter, a digit or '_'
          hf://org./repo                                        | must start and end with a letter, a digit or '_'
          hf://o--rg/repo                                       | must not contain '..' or '--'
          https://huggingface.co/org/repo/tree/--help           | must not start with '-'
          https://huggingface.co/org/repo/tree/a%0Ab            | may only contain letters, digits, '-', '_', '.' and '/'
          https://example.com/org/repo                          | is not on huggingface.co
          https://huggingface.co/datasets/org/data              | is a dataset page, not a model repo
          https://huggingface.co/spaces/org/app                 | is a space page, not a model repo
          https://huggingface.co/org/repo/blob/main/config.json | is not a model page
          https://huggingface.co/org/repo/tree/main/subdir      | is not a model page
          https://huggingface.co/org                            | is not a model page
          https://huggingface.co/org/repo/tree/%zz              | is not a valid URL
          https://huggingface.co/org/re po                      | is not a valid URL
          """)
  void rejectsWithAMessageSayingWhatIsWrongAndWhatIsAccepted(String source, String problem) {
    assertThatThrownBy(() -> HfSource.parse(source))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(problem)
        .hasMessageContaining(HfSource.ACCEPTED_FORMS);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   "})
  void rejectsAnEmptySource(String source) {
    assertThatThrownBy(() -> HfSource.parse(source))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("source is empty");
  }

  @Test
  void partsMayBeNinetySixCharactersButNotMore() {
    String longest = "a".repeat(96);
    assertThat(HfSource.parse("hf://" + longest + "/" + longest).repo())
        .isEqualTo(longest + "/" + longest);

    assertThatThrownBy(() -> HfSource.parse("hf://" + "a".repeat(97) + "/name"))
        .hasMessageContaining("owner is 97 characters long, at most 96");
  }

  @Test
  void errorMessagesDoNotEchoHugeInputs() {
    String huge = "x".repeat(100_000);

    assertThatThrownBy(() -> HfSource.parse(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(600));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "main",
        "v1.0",
        "release-1.2_final",
        "refs/pr/1",
        "refs/convert/parquet",
        "01c7f73d771dfac7d292323805ebc428287df4f9",
        "a-b",
        "x.y.z",
        "_private"
      })
  void gitRefNamesThatAreUsedOnTheHubStayValid(String revision) {
    assertThat(new HfSource("org/repo", revision).revision()).isEqualTo(revision);
  }

  @Test
  void revisionsMayBe255CharactersButNotMore() {
    String longest = "a".repeat(255);
    assertThat(new HfSource("org/repo", longest).revision()).isEqualTo(longest);

    assertThatThrownBy(() -> new HfSource("org/repo", longest + "a"))
        .hasMessageContaining("revision is 256 characters long, at most 255");
  }

  @Test
  void theConstructorRefusesAnOptionLikeRevisionToo() {
    // A stored revision reaches an engine command line (vllm serve {repo} --revision {rev}).
    assertThatThrownBy(() -> new HfSource("org/repo", "--trust-remote-code"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("revision '--trust-remote-code' must not start with '-'");
  }

  @Test
  void errorMessagesEchoAtMostFortyCharactersWithoutControlCharacters() {
    String revision = "\u001b[31m" + "x".repeat(100) + " y";

    assertThatThrownBy(() -> new HfSource("org/repo", revision))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(
            e -> {
              String echoed = e.getMessage().substring(0, e.getMessage().indexOf(" may only"));
              assertThat(echoed).isEqualTo("revision '?[31m" + "x".repeat(35) + "…'");
              assertThat(e.getMessage()).doesNotContain("\u001b").doesNotContain("x".repeat(36));
            });
  }

  @Test
  void anEchoNeverCutsACharacterInTwo() {
    // The 40th UTF-16 unit is the first half of an emoji: alone it could not be written as UTF-8.
    String revision = "a".repeat(39) + "\uD83D\uDE00" + " b";

    assertThatThrownBy(() -> new HfSource("org/repo", revision))
        .hasMessageStartingWith("revision '" + "a".repeat(39) + "?…'");
  }

  @Test
  void uriIsCanonicalWithTheRevisionAndParsesBack() {
    HfSource fromUrl = HfSource.parse("https://www.huggingface.co/org/repo/");
    HfSource withPr = HfSource.parse("https://huggingface.co/org/repo/tree/refs%2Fpr%2F1");

    assertThat(fromUrl.uri()).isEqualTo("hf://org/repo@main");
    assertThat(withPr.uri()).isEqualTo("hf://org/repo@refs/pr/1");
    assertThat(HfSource.parse(withPr.uri())).isEqualTo(withPr);
  }

  @Test
  void constructorValidatesToo() {
    assertThat(HfSource.of("org/repo")).isEqualTo(new HfSource("org/repo", "main"));
    assertThatThrownBy(() -> new HfSource("repo", "main"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be exactly owner/name");
    assertThatThrownBy(() -> new HfSource("org/repo", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("revision is empty");
  }
}
