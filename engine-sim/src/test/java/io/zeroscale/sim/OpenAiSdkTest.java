package io.zeroscale.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import io.zeroscale.sim.config.Family;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK must accept every response shape the simulator produces. */
class OpenAiSdkTest {

  private static RunningSim llm;
  private static RunningSim embedding;
  private static OpenAIClient llmClient;
  private static OpenAIClient embeddingClient;

  @BeforeAll
  static void start() {
    llm = RunningSim.start(RunningSim.config().interTokenLatency(Duration.ofMillis(2)));
    embedding =
        RunningSim.start(RunningSim.config().family(Family.EMBEDDING).embeddingDimensions(32));
    llmClient = client(llm);
    embeddingClient = client(embedding);
  }

  @AfterAll
  static void stop() {
    llmClient.close();
    embeddingClient.close();
    llm.close();
    embedding.close();
  }

  private static OpenAIClient client(RunningSim sim) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(sim.url("/v1"))
        .apiKey("test-key")
        .maxRetries(0)
        .timeout(Duration.ofSeconds(10))
        .build();
  }

  private static ChatCompletionCreateParams.Builder chat(String model, String prompt) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(prompt);
  }

  @Test
  void chatCompletion() {
    ChatCompletion completion =
        llmClient
            .chat()
            .completions()
            .create(chat("alias", "Hello there").maxCompletionTokens(5).build());
    assertThat(completion.id()).startsWith("chatcmpl-");
    assertThat(completion.model()).isEqualTo("alias");
    assertThat(completion.choices()).hasSize(1);
    ChatCompletion.Choice choice = completion.choices().getFirst();
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    assertThat(choice.message().content())
        .hasValueSatisfying(c -> assertThat(c.split(" ")).hasSize(5));
    assertThat(completion.usage())
        .hasValueSatisfying(
            u -> {
              assertThat(u.completionTokens()).isEqualTo(5);
              assertThat(u.promptTokens()).isEqualTo(2);
              assertThat(u.totalTokens()).isEqualTo(7);
            });
  }

  @Test
  void chatStreamWithUsageEndsWithAUsageChunkAndMatchesTheNonStreamAnswer() {
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream =
        llmClient
            .chat()
            .completions()
            .createStreaming(
                chat("m", "Tell me a story")
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                    .build())) {
      stream.stream().forEach(chunks::add);
    }
    StringBuilder text = new StringBuilder();
    int contentDeltas = 0;
    String finishReason = null;
    for (ChatCompletionChunk chunk : chunks.subList(0, chunks.size() - 1)) {
      assertThat(chunk.choices()).hasSize(1);
      ChatCompletionChunk.Choice choice = chunk.choices().getFirst();
      String content = choice.delta().content().orElse("");
      if (!content.isEmpty()) {
        contentDeltas++;
        text.append(content);
      }
      if (choice.finishReason().isPresent()) {
        finishReason = choice.finishReason().get().asString();
      }
    }
    assertThat(contentDeltas).isGreaterThanOrEqualTo(2);
    assertThat(finishReason).isEqualTo("stop");
    int deltas = contentDeltas;
    ChatCompletionChunk last = chunks.getLast();
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage())
        .hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(deltas));

    ChatCompletion nonStream =
        llmClient.chat().completions().create(chat("m", "Tell me a story").build());
    assertThat(nonStream.choices().getFirst().message().content()).hasValue(text.toString());
  }

  @Test
  void textCompletionStreamAndNonStream() {
    Completion completion =
        llmClient
            .completions()
            .create(
                CompletionCreateParams.builder()
                    .model("m")
                    .prompt("Once upon a time")
                    .maxTokens(4)
                    .build());
    assertThat(completion.id()).startsWith("cmpl-");
    assertThat(completion.choices().getFirst().text().split(" ")).hasSize(4);
    assertThat(completion.choices().getFirst().finishReason().asString()).isEqualTo("length");

    StringBuilder streamed = new StringBuilder();
    try (StreamResponse<Completion> stream =
        llmClient
            .completions()
            .createStreaming(
                CompletionCreateParams.builder()
                    .model("m")
                    .prompt("Once upon a time")
                    .maxTokens(4)
                    .build())) {
      stream.stream().forEach(c -> c.choices().forEach(choice -> streamed.append(choice.text())));
    }
    assertThat(streamed.toString()).isEqualTo(completion.choices().getFirst().text());
  }

  @Test
  void unknownModelIsA404TheSdkUnderstands() {
    assertThatThrownBy(() -> llmClient.chat().completions().create(chat("nope", "hi").build()))
        .isInstanceOfSatisfying(
            NotFoundException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(404);
              assertThat(e.getMessage()).contains("The model `nope` does not exist.");
            });
  }

  @Test
  void embeddingsInFloatAndBase64AreTheSameVectors() {
    CreateEmbeddingResponse floats =
        embeddingClient
            .embeddings()
            .create(
                EmbeddingCreateParams.builder()
                    .model("m")
                    .input("the quick brown fox")
                    .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT)
                    .build());
    CreateEmbeddingResponse base64 =
        embeddingClient
            .embeddings()
            .create(
                EmbeddingCreateParams.builder()
                    .model("m")
                    .input("the quick brown fox")
                    .encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64)
                    .build());
    List<Float> vector = floats.data().getFirst().embedding();
    assertThat(vector).hasSize(32);
    assertThat(floats.data().getFirst().embeddingValue().isFloats()).isTrue();
    assertThat(base64.data().getFirst().embeddingValue().isBase64()).isTrue();
    assertThat(base64.data().getFirst().embedding()).isEqualTo(vector);
    assertThat(floats.usage().promptTokens()).isEqualTo(4);
    double norm = 0;
    for (float v : vector) {
      norm += v * v;
    }
    assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
  }
}
