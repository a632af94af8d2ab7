package io.zeroscale.sim.openai;

import static io.zeroscale.sim.openai.LlmRequestTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.sim.generate.Embeddings;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Embeddings, rerank, images and transcriptions: parsing, validation and response shape. */
class PoolingAndMediaRequestsTest {

  private static JsonNode parse(byte[] body) {
    return Json.parseObject(body);
  }

  private static void rejects(Runnable parse, String param) {
    assertThatThrownBy(parse::run)
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo(param));
  }

  @Test
  void embeddingInputShapesAndTokenCounts() {
    assertThat(
            EmbeddingRequest.parse(json("{\"model\":\"m\",\"input\":\"a b\"}"), 8).promptTokens())
        .isEqualTo(2);
    EmbeddingRequest many =
        EmbeddingRequest.parse(json("{\"model\":\"m\",\"input\":[\"a\",\"b c\"]}"), 8);
    assertThat(many.inputs()).hasSize(2);
    assertThat(many.promptTokens()).isEqualTo(3);
    assertThat(
            EmbeddingRequest.parse(json("{\"model\":\"m\",\"input\":[1,2,3]}"), 8).promptTokens())
        .isEqualTo(3);
    assertThat(EmbeddingRequest.parse(json("{\"model\":\"m\",\"input\":[[1,2],[3]]}"), 8).inputs())
        .hasSize(2);
    rejects(() -> EmbeddingRequest.parse(json("{\"model\":\"m\"}"), 8), "input");
    rejects(() -> EmbeddingRequest.parse(json("{\"model\":\"m\",\"input\":[]}"), 8), "input");
    rejects(
        () -> EmbeddingRequest.parse(json("{\"model\":\"m\",\"input\":[\"a\",1]}"), 8), "input");
    rejects(
        () ->
            EmbeddingRequest.parse(
                json("{\"model\":\"m\",\"input\":\"a\",\"encoding_format\":\"hex\"}"), 8),
        "encoding_format");
    rejects(
        () -> EmbeddingRequest.parse(json("{\"model\":\"m\",\"input\":\"a\",\"dimensions\":0}"), 8),
        "dimensions");
  }

  @Test
  void embeddingBase64DecodesToTheFloatEncoding() {
    String common = "\"model\":\"m\",\"input\":[\"x\",\"y\"],\"dimensions\":5";
    JsonNode floats =
        parse(EmbeddingRequest.parse(json("{" + common + "}"), 8).response("embd-1", 1));
    JsonNode base64 =
        parse(
            EmbeddingRequest.parse(json("{" + common + ",\"encoding_format\":\"base64\"}"), 8)
                .response("embd-1", 1));
    assertThat(floats.get("object").stringValue()).isEqualTo("list");
    assertThat(floats.get("usage").get("prompt_tokens").intValue()).isEqualTo(2);
    for (int i = 0; i < 2; i++) {
      JsonNode item = floats.get("data").get(i);
      assertThat(item.get("object").stringValue()).isEqualTo("embedding");
      assertThat(item.get("index").intValue()).isEqualTo(i);
      float[] expected = new float[5];
      for (int d = 0; d < 5; d++) {
        expected[d] = item.get("embedding").get(d).floatValue();
      }
      assertThat(Embeddings.fromBase64(base64.get("data").get(i).get("embedding").stringValue()))
          .containsExactly(expected);
    }
  }

  @Test
  void rerankSortsByScoreAndHonoursTopNAndReturnDocuments() {
    RerankRequest request =
        RerankRequest.parse(
            json(
                """
                {"model":"m","query":"capital of France",
                 "documents":["Bananas are yellow.",{"text":"Paris is the capital of France."},"x"],
                 "top_n":2}
                """));
    JsonNode body = parse(request.response("rerank-1"));
    assertThat(body.get("id").stringValue()).isEqualTo("rerank-1");
    assertThat(body.get("usage").get("total_tokens").intValue()).isPositive();
    JsonNode results = body.get("results");
    assertThat(results.size()).isEqualTo(2);
    assertThat(results.get(0).get("index").intValue()).isEqualTo(1);
    assertThat(results.get(0).get("document").get("text").stringValue())
        .isEqualTo("Paris is the capital of France.");
    assertThat(results.get(0).get("relevance_score").doubleValue())
        .isGreaterThanOrEqualTo(results.get(1).get("relevance_score").doubleValue())
        .isBetween(0.0, 1.0);

    JsonNode bare =
        parse(
            RerankRequest.parse(
                    json(
                        "{\"model\":\"m\",\"query\":\"q\",\"documents\":[\"a\"],\"return_documents\":false}"))
                .response("r"));
    assertThat(bare.get("results").get(0).has("document")).isFalse();
    rejects(() -> RerankRequest.parse(json("{\"model\":\"m\",\"documents\":[\"a\"]}")), "query");
    rejects(() -> RerankRequest.parse(json("{\"model\":\"m\",\"query\":\"q\"}")), "documents");
    rejects(
        () -> RerankRequest.parse(json("{\"model\":\"m\",\"query\":\"q\",\"documents\":[]}")),
        "documents");
  }

  @Test
  void imagesAreRealPngsDeterministicPerPrompt() throws IOException {
    ImageRequest request =
        ImageRequest.parse(
            json("{\"model\":\"m\",\"prompt\":\"a cat\",\"n\":2,\"size\":\"256x256\"}"));
    JsonNode body = parse(request.response(5));
    assertThat(body.get("created").longValue()).isEqualTo(5);
    assertThat(body.get("data").size()).isEqualTo(2);
    JsonNode first = body.get("data").get(0);
    assertThat(first.get("revised_prompt").stringValue()).isEqualTo("a cat");
    BufferedImage image =
        ImageIO.read(
            new ByteArrayInputStream(
                Base64.getDecoder().decode(first.get("b64_json").stringValue())));
    assertThat(image).isNotNull();
    assertThat(parse(request.response(5)).get("data")).isEqualTo(body.get("data"));
    assertThat(body.get("data").get(1).get("b64_json")).isNotEqualTo(first.get("b64_json"));

    JsonNode url =
        parse(
            ImageRequest.parse(
                    json("{\"model\":\"m\",\"prompt\":\"a cat\",\"response_format\":\"url\"}"))
                .response(5));
    assertThat(url.get("data").get(0).get("url").stringValue())
        .isEqualTo("data:image/png;base64," + first.get("b64_json").stringValue());
    rejects(() -> ImageRequest.parse(json("{\"model\":\"m\"}")), "prompt");
    rejects(
        () -> ImageRequest.parse(json("{\"model\":\"m\",\"prompt\":\"p\",\"size\":\"big\"}")),
        "size");
    rejects(() -> ImageRequest.parse(json("{\"model\":\"m\",\"prompt\":\"p\",\"n\":11}")), "n");
    rejects(
        () ->
            ImageRequest.parse(
                json("{\"model\":\"m\",\"prompt\":\"p\",\"response_format\":\"gif\"}")),
        "response_format");
  }

  private static Map<String, FormPart> form(String... fields) {
    Map<String, FormPart> parts = new HashMap<>();
    parts.put("file", new FormPart("file", "a.wav", new byte[64_000]));
    for (int i = 0; i < fields.length; i += 2) {
      parts.put(
          fields[i], new FormPart(fields[i], null, fields[i + 1].getBytes(StandardCharsets.UTF_8)));
    }
    return parts;
  }

  @Test
  void transcriptionFormatsAndValidation() {
    TranscriptionRequest json = TranscriptionRequest.parse(form("model", "m"));
    assertThat(json.format()).isEqualTo(TranscriptionRequest.Format.JSON);
    assertThat(json.stream()).isFalse();
    assertThat(json.durationSeconds()).isEqualTo(2.0);
    String[] tokens = json.tokens();
    assertThat(tokens).containsExactly(TranscriptionRequest.parse(form("model", "m")).tokens());
    JsonNode body = parse(json.response(tokens).bytes());
    assertThat(body.get("text").stringValue()).isEqualTo(String.join("", tokens));
    assertThat(body.get("usage").get("type").stringValue()).isEqualTo("tokens");
    assertThat(body.get("usage").get("output_tokens").intValue()).isEqualTo(tokens.length);
    assertThat(body.get("usage").get("input_tokens").intValue()).isEqualTo(20);

    TranscriptionRequest text =
        TranscriptionRequest.parse(form("model", "m", "response_format", "text"));
    assertThat(text.response(tokens).contentType()).startsWith("text/plain");
    assertThat(new String(text.response(tokens).bytes(), StandardCharsets.UTF_8))
        .isEqualTo(String.join("", tokens));

    JsonNode verbose =
        parse(
            TranscriptionRequest.parse(
                    form("model", "m", "response_format", "verbose_json", "language", "fr"))
                .response(tokens)
                .bytes());
    assertThat(verbose.get("task").stringValue()).isEqualTo("transcribe");
    assertThat(verbose.get("language").stringValue()).isEqualTo("fr");
    assertThat(verbose.get("duration").doubleValue()).isEqualTo(2.0);
    assertThat(verbose.get("segments").get(0).get("text").stringValue())
        .isEqualTo(String.join("", tokens));

    assertThat(TranscriptionRequest.parse(form("model", "m", "stream", "true")).stream()).isTrue();
    Map<String, FormPart> noFile = form("model", "m");
    noFile.remove("file");
    rejects(() -> TranscriptionRequest.parse(noFile), "file");
    rejects(() -> TranscriptionRequest.parse(form()), "model");
    rejects(
        () -> TranscriptionRequest.parse(form("model", "m", "response_format", "srt")),
        "response_format");
  }

  @Test
  void transcriptionStreamEvents() {
    TranscriptionRequest request = TranscriptionRequest.parse(form("model", "m", "stream", "true"));
    String[] tokens = request.tokens();
    String delta = new String(request.deltaEvent(tokens[1]), StandardCharsets.UTF_8);
    assertThat(delta).startsWith("data: ").endsWith("\n\n");
    JsonNode event = json(delta.substring(6).trim());
    assertThat(event.get("type").stringValue()).isEqualTo("transcript.text.delta");
    assertThat(event.get("delta").stringValue()).isEqualTo(tokens[1]).startsWith(" ");
    String done = new String(request.doneEvents(tokens), StandardCharsets.UTF_8);
    assertThat(done).endsWith("data: [DONE]\n\n");
    JsonNode doneEvent = json(done.substring(6, done.indexOf("\n\n")));
    assertThat(doneEvent.get("type").stringValue()).isEqualTo("transcript.text.done");
    assertThat(doneEvent.get("text").stringValue()).isEqualTo(String.join("", tokens));
    assertThat(doneEvent.get("usage").get("output_tokens").intValue()).isEqualTo(tokens.length);
  }
}
