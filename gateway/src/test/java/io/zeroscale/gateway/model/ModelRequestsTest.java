package io.zeroscale.gateway.model;

import static io.zeroscale.gateway.model.Bodies.assertError;
import static io.zeroscale.gateway.model.Bodies.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.Family;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.model.ModelService.ImportRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelRequestsTest {

  @Test
  void importWithEveryField() {
    ImportRequest r =
        ModelRequests.importRequest(
            body(
                "{'name':'llama','source':'hf://meta-llama/Llama-2-7b-hf@v1','family':'embedding',"
                    + "'hf_token':'hf_abc'}"));
    assertThat(r.name()).isEqualTo("llama");
    assertThat(r.source().uri()).isEqualTo("hf://meta-llama/Llama-2-7b-hf@v1");
    assertThat(r.family()).isEqualTo(Family.EMBEDDING);
    assertThat(r.hfToken()).isEqualTo("hf_abc");
    assertThat(r.toString()).doesNotContain("hf_abc");
  }

  @Test
  void importDefaultsNameFromTheRepoAndFamilyToLlm() {
    ImportRequest r =
        ModelRequests.importRequest(
            body("{'source':'https://huggingface.co/meta-llama/Llama-2-7b-hf'}"));
    assertThat(r.name()).isEqualTo("Llama-2-7b-hf");
    assertThat(r.source().uri()).isEqualTo("hf://meta-llama/Llama-2-7b-hf@main");
    assertThat(r.family()).isEqualTo(Family.LLM);
    assertThat(r.hfToken()).isNull();
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "{'name':'x'}|source|'source' is required",
        "{'source':'gs://bucket/x'}|source|neither an hf:// reference",
        "{'source':'hf://a/b','name':'-bad'}|name|got '-bad'",
        "{'source':'hf://a/b','name':'has space'}|name|letters, digits",
        "{'source':'hf://a/b','family':'chat'}|family|must be one of [llm, embedding, rerank,"
            + " image, audio], got 'chat'",
        "{'source':'hf://a/b','hf_token':'has space'}|hf_token|printable ASCII",
        "{'source':'hf://a/b','sauce':1}|sauce|Unknown field 'sauce'",
        "{'source':7}|source|must be a string",
      })
  void importProblemsAre422OnTheirField(String json, String param, String message) {
    assertError(() -> ModelRequests.importRequest(body(json)), 422, param, message);
  }

  @Test
  void aTokenIsNeverEchoedInAnError() {
    assertThatThrownBy(
            () -> ModelRequests.importRequest(body("{'source':'hf://a/b','hf_token':'hf_ab cd'}")))
        .isInstanceOf(ZeroscaleException.class)
        .hasMessageContaining("hf_token")
        .hasMessageNotContaining("hf_ab");
  }

  @Test
  void renameTakesOnlyAValidName() {
    assertThat(ModelRequests.rename(body("{'name':'new-name.v2'}"))).isEqualTo("new-name.v2");
    assertError(() -> ModelRequests.rename(body("{}")), 422, "name", "'name' is required");
    assertError(() -> ModelRequests.rename(body("{'name':'a/b'}")), 422, "name", "got 'a/b'");
    assertError(
        () -> ModelRequests.rename(body("{'name':'x','source':'hf://a/b'}")),
        422,
        "source",
        "cannot be changed");
  }
}
