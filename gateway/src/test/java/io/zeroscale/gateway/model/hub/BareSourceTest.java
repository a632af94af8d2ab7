package io.zeroscale.gateway.model.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.gateway.model.ModelRequests;
import io.zeroscale.gateway.model.ModelService;
import io.zeroscale.gateway.web.JsonBody;
import org.junit.jupiter.api.Test;

/** Issue #20: a bare {@code org/name} source (Together) means {@code hf://org/name}. */
class BareSourceTest {

  @Test
  void aBareRepoIsAnHfReference() {
    assertThat(HfSource.parseOrBare("meta-llama/Llama-2-7b-hf"))
        .isEqualTo(HfSource.parse("hf://meta-llama/Llama-2-7b-hf"));
    assertThat(HfSource.parseOrBare(" o/m@v1 ")).isEqualTo(new HfSource("o/m", "v1"));
    assertThat(HfSource.parseOrBare("https://huggingface.co/o/m")).isEqualTo(HfSource.of("o/m"));
    assertThatThrownBy(() -> HfSource.parseOrBare("s3://bucket/model"))
        .hasMessageContaining("neither an hf:// reference");
    assertThatThrownBy(() -> HfSource.parseOrBare("o/m/extra"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HfSource.parseOrBare("noslash"))
        .hasMessageContaining("neither an hf:// reference");
  }

  @Test
  void anImportTakesABareRepo() {
    ModelService.ImportRequest r =
        ModelRequests.importRequest(JsonBody.parse("{\"source\":\"org/Some-Model\"}"));
    assertThat(r.source()).isEqualTo(HfSource.of("org/Some-Model"));
    assertThat(r.name()).isEqualTo("Some-Model");
  }
}
