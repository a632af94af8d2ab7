package io.zeroscale.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.sim.config.Family;
import io.zeroscale.sim.openai.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Raw HTTP checks of every endpoint's status, headers and body shape. */
class HttpEndpointsTest {

  private static RunningSim llm;
  private static RunningSim rerank;
  private static RunningSim image;
  private static RunningSim audio;
  private static RunningSim booting;

  @BeforeAll
  static void start() {
    llm = RunningSim.start(RunningSim.config());
    rerank = RunningSim.start(RunningSim.config().family(Family.RERANK));
    image = RunningSim.start(RunningSim.config().family(Family.IMAGE));
    audio =
        RunningSim.start(
            RunningSim.config().family(Family.AUDIO).interTokenLatency(Duration.ofMillis(1)));
    booting = RunningSim.start(RunningSim.config().startupDuration(Duration.ofMinutes(10)));
  }

  @AfterAll
  static void stop() {
    for (RunningSim sim : List.of(llm, rerank, image, audio, booting)) {
      sim.close();
    }
  }

  private static JsonNode json(HttpResponse<String> response) {
    return Json.parseObject(response.body().getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode error(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode error = json(response).get("error");
    assertThat(error.get("code").intValue()).isEqualTo(status);
    assertThat(error.has("message")).isTrue();
    assertThat(error.has("type")).isTrue();
    assertThat(error.has("param")).isTrue();
    return error;
  }

  @Test
  void healthAndModels() {
    HttpResponse<String> health = llm.get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEmpty();
    JsonNode models = json(llm.get("/v1/models"));
    assertThat(models.get("object").stringValue()).isEqualTo("list");
    assertThat(models.get("data").size()).isEqualTo(2);
    JsonNode first = models.get("data").get(0);
    assertThat(first.get("id").stringValue()).isEqualTo("m");
    assertThat(first.get("object").stringValue()).isEqualTo("model");
    assertThat(first.get("owned_by").stringValue()).isEqualTo("vllm");
    assertThat(first.get("root").stringValue()).isEqualTo("m");
    assertThat(first.get("parent").isNull()).isTrue();
    assertThat(first.get("max_model_len").intValue()).isEqualTo(4096);
    assertThat(models.get("data").get(1).get("id").stringValue()).isEqualTo("alias");
  }

  @Test
  void beforeReadyHealthAndInferenceAre503ButMetricsAnswer() {
    assertThat(booting.get("/health").statusCode()).isEqualTo(503);
    assertThat(booting.hooks.ready).isFalse();
    JsonNode error =
        error(
            booting.post(
                "/v1/chat/completions",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
            503);
    assertThat(error.get("message").stringValue()).contains("starting");
    assertThat(booting.get("/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void requestErrorsAreOpenAiShaped() {
    JsonNode badJson = error(llm.post("/v1/chat/completions", "{not json"), 400);
    assertThat(badJson.get("type").stringValue()).isEqualTo("BadRequestError");
    JsonNode noModel = error(llm.post("/v1/chat/completions", "{\"messages\":[]}"), 400);
    assertThat(noModel.get("param").stringValue()).isEqualTo("model");
    JsonNode noMessages = error(llm.post("/v1/chat/completions", "{\"model\":\"m\"}"), 400);
    assertThat(noMessages.get("param").stringValue()).isEqualTo("messages");
    JsonNode noPrompt = error(llm.post("/v1/completions", "{\"model\":\"m\"}"), 400);
    assertThat(noPrompt.get("param").stringValue()).isEqualTo("prompt");
    JsonNode zeroTokens =
        error(
            llm.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"p\",\"max_tokens\":0}"),
            400);
    assertThat(zeroTokens.get("param").stringValue()).isEqualTo("max_tokens");

    JsonNode wrongModel =
        error(llm.post("/v1/completions", "{\"model\":\"x\",\"prompt\":\"p\"}"), 404);
    assertThat(wrongModel.get("message").stringValue()).isEqualTo("The model `x` does not exist.");
    assertThat(wrongModel.get("type").stringValue()).isEqualTo("NotFoundError");
    assertThat(wrongModel.get("param").stringValue()).isEqualTo("model");

    error(llm.post("/v1/embeddings", "{\"model\":\"m\",\"input\":\"x\"}"), 404);
    error(llm.get("/v1/nothing"), 404);
    error(llm.get("/v1/chat/completions"), 405);
  }

  @Test
  void requestIdIsEchoedAndTraceparentAccepted() {
    HttpResponse<String> response =
        RunningSim.send(
            HttpRequest.newBuilder(URI.create(llm.url("/v1/completions")))
                .header("x-request-id", "req-123")
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"p\"}"))
                .build());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-request-id")).hasValue("req-123");
    assertThat(llm.get("/health").headers().firstValue("x-request-id")).isEmpty();
  }

  @Test
  void chatCompletionIsDeterministicPerBody() {
    String body =
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"same words\"}],\"n\":2}";
    JsonNode a = json(llm.post("/v1/chat/completions", body));
    JsonNode b = json(llm.post("/v1/chat/completions", body));
    assertThat(a.get("choices")).isEqualTo(b.get("choices"));
    assertThat(a.get("choices").size()).isEqualTo(2);
    JsonNode message = a.get("choices").get(0).get("message");
    assertThat(message.get("role").stringValue()).isEqualTo("assistant");
    assertThat(message.get("refusal").isNull()).isTrue();
    assertThat(a.get("choices").get(0).get("logprobs").isNull()).isTrue();
    assertThat(a.get("choices").get(0).get("finish_reason").stringValue()).isEqualTo("stop");
    assertThat(a.get("object").stringValue()).isEqualTo("chat.completion");
    assertThat(a.get("id")).isNotEqualTo(b.get("id"));
  }

  @Test
  void rerankOnAllThreePaths() {
    String body =
        "{\"model\":\"m\",\"query\":\"capital of France\",\"top_n\":1,"
            + "\"documents\":[\"Bananas are yellow.\",\"Paris is the capital of France.\"]}";
    for (String path : List.of("/v1/rerank", "/rerank", "/v2/rerank")) {
      HttpResponse<String> response = rerank.post(path, body);
      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode results = json(response).get("results");
      assertThat(results.size()).isEqualTo(1);
      assertThat(results.get(0).get("index").intValue()).isEqualTo(1);
      assertThat(results.get(0).get("document").get("text").stringValue()).startsWith("Paris");
    }
    error(rerank.post("/v1/rerank", "{\"model\":\"m\",\"query\":\"q\"}"), 400);
  }

  @Test
  void imagesAreDecodablePngs() throws IOException {
    HttpResponse<String> response =
        image.post(
            "/v1/images/generations",
            "{\"model\":\"m\",\"prompt\":\"a red fox\",\"size\":\"256x256\"}");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode data = json(response).get("data").get(0);
    BufferedImage png =
        ImageIO.read(
            new ByteArrayInputStream(
                Base64.getDecoder().decode(data.get("b64_json").stringValue())));
    assertThat(png).isNotNull();
    assertThat(data.get("revised_prompt").stringValue()).isEqualTo("a red fox");
  }

  private static HttpResponse<String> transcribe(byte[] audioBytes, String... fields) {
    String boundary = "----engine-sim-test";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int i = 0; i < fields.length; i += 2) {
      body.writeBytes(
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\""
                  + fields[i]
                  + "\"\r\n\r\n"
                  + fields[i + 1]
                  + "\r\n")
              .getBytes(StandardCharsets.UTF_8));
    }
    if (audioBytes != null) {
      body.writeBytes(
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                  + "Content-Type: audio/wav\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8));
      body.writeBytes(audioBytes);
      body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return RunningSim.send(
        HttpRequest.newBuilder(URI.create(audio.url("/v1/audio/transcriptions")))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
            .build());
  }

  @Test
  void audioTranscriptionFormats() {
    byte[] wav = new byte[48_000];
    wav[100] = 7;
    HttpResponse<String> json = transcribe(wav, "model", "m");
    assertThat(json.statusCode()).isEqualTo(200);
    JsonNode body = json(json);
    String text = body.get("text").stringValue();
    assertThat(text).isNotBlank();
    assertThat(body.get("usage").get("type").stringValue()).isEqualTo("tokens");
    assertThat(body.get("usage").get("total_tokens").intValue())
        .isEqualTo(
            body.get("usage").get("input_tokens").intValue()
                + body.get("usage").get("output_tokens").intValue());

    HttpResponse<String> plain = transcribe(wav, "model", "m", "response_format", "text");
    assertThat(plain.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(plain.body()).isEqualTo(text);

    JsonNode verbose = json(transcribe(wav, "model", "m", "response_format", "verbose_json"));
    assertThat(verbose.get("duration").doubleValue()).isEqualTo(1.5);
    assertThat(verbose.get("text").stringValue()).isEqualTo(text);

    error(transcribe(null, "model", "m"), 400);
    error(transcribe(wav, "model", "other"), 404);
  }

  @Test
  void audioTranscriptionStream() {
    byte[] wav = new byte[16_000];
    String expected = json(transcribe(wav, "model", "m")).get("text").stringValue();
    HttpResponse<String> stream = transcribe(wav, "model", "m", "stream", "true");
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    List<String> events = new ArrayList<>();
    for (String event : stream.body().split("\n\n")) {
      assertThat(event).startsWith("data: ");
      events.add(event.substring(6));
    }
    assertThat(events.getLast()).isEqualTo("[DONE]");
    StringBuilder deltas = new StringBuilder();
    for (String event : events.subList(0, events.size() - 2)) {
      JsonNode delta = Json.parseObject(event.getBytes(StandardCharsets.UTF_8));
      assertThat(delta.get("type").stringValue()).isEqualTo("transcript.text.delta");
      deltas.append(delta.get("delta").stringValue());
    }
    JsonNode done =
        Json.parseObject(events.get(events.size() - 2).getBytes(StandardCharsets.UTF_8));
    assertThat(done.get("type").stringValue()).isEqualTo("transcript.text.done");
    assertThat(done.get("text").stringValue()).isEqualTo(expected).isEqualTo(deltas.toString());
    assertThat(done.get("usage").get("output_tokens").intValue()).isEqualTo(events.size() - 2);
  }
}
