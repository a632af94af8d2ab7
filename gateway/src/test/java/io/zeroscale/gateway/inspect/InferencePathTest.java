package io.zeroscale.gateway.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.Family;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class InferencePathTest {

  @ParameterizedTest
  @CsvSource({
    "/v1/chat/completions, /v1/chat/completions, LLM",
    "/v1/completions, /v1/completions, LLM",
    "/v1/embeddings, /v1/embeddings, EMBEDDING",
    "/v1/rerank, /v1/rerank, RERANK",
    "/v1/images/generations, /v1/images/generations, IMAGE",
    "/v1/audio/transcriptions, /v1/audio/transcriptions, AUDIO",
    "/custom-model/v1/chat/completions, /v1/chat/completions, LLM",
    "/custom-model/v1/completions, /v1/completions, LLM",
    "/custom-model/v1/embeddings, /v1/embeddings, EMBEDDING",
    "/custom-model/v1/rerank, /v1/rerank, RERANK",
    "/custom-model/v1/images/generations, /v1/images/generations, IMAGE",
    "/custom-model/v1/audio/transcriptions, /v1/audio/transcriptions, AUDIO",
  })
  void bothSpellingsMatchAndCallTheV1PathUpstream(String path, String upstream, Family family) {
    InferencePath p = InferencePath.match(path).orElseThrow();
    assertThat(p.upstreamPath()).isEqualTo(upstream);
    assertThat(p.family()).isEqualTo(family);
    assertThat(p.multipart()).isEqualTo(family == Family.AUDIO);
  }

  /** Issue #20: the seed platforms' trailing slash (Regolo) is an alias of the canonical path. */
  @ParameterizedTest
  @CsvSource({
    "/v1/chat/completions/, /v1/chat/completions, LLM",
    "/custom-model/v1/chat/completions/, /v1/chat/completions, LLM",
    "/v1/embeddings/, /v1/embeddings, EMBEDDING",
    "/custom-model/v1/audio/transcriptions/, /v1/audio/transcriptions, AUDIO",
  })
  void aTrailingSlashIsAnAliasOfTheCanonicalPath(String path, String upstream, Family family) {
    InferencePath p = InferencePath.match(path).orElseThrow();
    assertThat(p.upstreamPath()).isEqualTo(upstream);
    assertThat(p.family()).isEqualTo(family);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "",
        "/",
        "/v1/models",
        "/custom-model/v1/models",
        "/v1/chat/completions//",
        "/v1/chat/completions?stream=true",
        "/V1/chat/completions",
        "/rerank",
        "/v2/rerank",
        "/custom-model",
        "/custom-model/chat/completions",
        "/custom-model/custom-model/v1/embeddings",
        "/api/v1/embeddings",
        "v1/embeddings",
      })
  void otherPathsDoNotMatch(String path) {
    assertThat(InferencePath.match(path)).isEqualTo(Optional.empty());
  }
}
