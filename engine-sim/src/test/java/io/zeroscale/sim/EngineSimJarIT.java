package io.zeroscale.sim;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The packaged jar, run as a real process: boot, SDK traffic, SIGTERM drain, crashes. */
class EngineSimJarIT {

  private static final Pattern LISTENING =
      Pattern.compile(
          "engine-sim listening on http://127\\.0\\.0\\.1:(\\d+) model=(\\S+) family=(\\S+)");

  /** A simulator process with its output captured line by line. */
  private static final class SimProcess implements AutoCloseable {
    final Process process;
    final List<String> stdout = new CopyOnWriteArrayList<>();
    final List<String> stderr = new CopyOnWriteArrayList<>();
    private final Thread stdoutPump;
    private final Thread stderrPump;

    SimProcess(String... flags) throws IOException {
      Path jar = Path.of(System.getProperty("engineSim.jar", "target/engine-sim.jar"));
      assertThat(jar).as("run `mvn package` first").exists();
      String java = ProcessHandle.current().info().command().orElse("java");
      List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString()));
      command.addAll(List.of(flags));
      process = new ProcessBuilder(command).start();
      stdoutPump = pump(process.inputReader(), stdout);
      stderrPump = pump(process.errorReader(), stderr);
    }

    /** Copies the lines into {@code lines}; the thread ends at the end of the output. */
    private static Thread pump(BufferedReader reader, List<String> lines) {
      return Thread.ofVirtual()
          .start(
              () -> {
                try (reader) {
                  String line;
                  while ((line = reader.readLine()) != null) {
                    lines.add(line);
                  }
                } catch (IOException ignored) {
                  // the process is gone
                }
              });
    }

    int awaitPort() {
      await()
          .atMost(20, SECONDS)
          .pollInterval(Duration.ofMillis(20))
          .until(() -> stdout.stream().anyMatch(l -> LISTENING.matcher(l).matches()));
      Matcher m =
          stdout.stream()
              .map(LISTENING::matcher)
              .filter(Matcher::matches)
              .findFirst()
              .orElseThrow();
      return Integer.parseInt(m.group(1));
    }

    /**
     * SIGTERM, as {@code Process.destroy()} sends it, but through the process handle: {@code
     * Process.destroy()} also closes our end of the output pipes, losing the last lines.
     */
    void sigterm() {
      assertThat(process.toHandle().destroy()).isTrue();
    }

    /**
     * The exit code, once the process exited and its output was read to the end: the pumps may lag
     * the exit, and what the output holds (or does not) is only settled then.
     */
    int awaitExit() throws InterruptedException {
      assertThat(process.waitFor(15, SECONDS)).as("process exited").isTrue();
      assertThat(stdoutPump.join(Duration.ofSeconds(15))).as("stdout read to its end").isTrue();
      assertThat(stderrPump.join(Duration.ofSeconds(15))).as("stderr read to its end").isTrue();
      return process.exitValue();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  private static int status(int port, String path) {
    try {
      return RunningSim.HTTP
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static OpenAIClient client(int port) {
    return OpenAIOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + port + "/v1")
        .apiKey("test-key")
        .maxRetries(0)
        .timeout(Duration.ofSeconds(15))
        .build();
  }

  @Test
  void bootsServesTheSdkAndDrainsOnSigterm() throws Exception {
    String[] common = {
      "--host=127.0.0.1", "--port=0", "--served-model-name=m", "--startup-duration=4s"
    };
    try (SimProcess llm =
        new SimProcess(
            concat(common, "--time-to-first-token=20ms", "--inter-token-latency=40ms"))) {
      int port = llm.awaitPort();
      // The boot clock starts as the port is printed, so "still booting" is asked right away, and
      // before the second engine starts: its JVM booting would compete with this check for the
      // CPU. The 4 s of --startup-duration then only have to cover reading one line and one local
      // request, however loaded the machine.
      assertThat(status(port, "/health")).as("still booting").isEqualTo(503);
      try (SimProcess embedding =
          new SimProcess(concat(common, "--family=embedding", "--embedding-dimensions=8"))) {
        int embeddingPort = embedding.awaitPort();
        await()
            .atMost(20, SECONDS)
            .pollInterval(Duration.ofMillis(50))
            .until(() -> status(port, "/health") == 200 && status(embeddingPort, "/health") == 200);
        // /health turns 200 just before the engine prints its ready line, and the pump reads the
        // line later still.
        await().atMost(10, SECONDS).until(() -> llm.stdout.contains("engine-sim ready"));

        OpenAIClient sdk = client(port);
        ChatCompletionCreateParams params =
            ChatCompletionCreateParams.builder()
                .model("m")
                .addUserMessage("Tell me about serverless GPUs")
                .maxCompletionTokens(20)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream =
            sdk.chat().completions().createStreaming(params)) {
          Iterator<ChatCompletionChunk> it = stream.stream().iterator();
          chunks.add(it.next());
          // SIGTERM mid-stream: the stream must still finish (20 tokens × 40 ms ≈ 0.8 s).
          llm.sigterm();
          it.forEachRemaining(chunks::add);
        }
        assertThat(chunks.getLast().choices()).isEmpty();
        assertThat(chunks.getLast().usage())
            .hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(20));
        assertThat(chunks)
            .anySatisfy(
                c ->
                    assertThat(c.choices())
                        .anySatisfy(ch -> assertThat(ch.finishReason()).isPresent()));
        assertThat(llm.awaitExit()).isZero();
        assertThat(llm.stdout).contains("engine-sim stopped");
        sdk.close();

        OpenAIClient embeddingSdk = client(embeddingPort);
        CreateEmbeddingResponse vectors =
            embeddingSdk
                .embeddings()
                .create(
                    EmbeddingCreateParams.builder()
                        .model("m")
                        .input("hello world")
                        .encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64)
                        .build());
        assertThat(vectors.data().getFirst().embedding()).hasSize(8);
        embeddingSdk.close();
        embedding.sigterm();
        assertThat(embedding.awaitExit()).isZero();
      }
    }
  }

  @Test
  void crashAfterZeroRequestsExitsOneWithoutBecomingHealthy() throws Exception {
    try (SimProcess sim =
        new SimProcess(
            "--host=127.0.0.1", "--port=0", "--served-model-name=m", "--crash-after-requests=0")) {
      assertThat(sim.awaitExit()).isEqualTo(1);
      assertThat(sim.stdout).anyMatch(l -> LISTENING.matcher(l).matches());
      assertThat(sim.stdout).doesNotContain("engine-sim ready");
      assertThat(String.join("\n", sim.stderr)).contains("simulated crash");
    }
  }

  @Test
  void crashAfterOneRequestServesOneThenDies() throws Exception {
    try (SimProcess sim =
        new SimProcess(
            "--host=127.0.0.1", "--port=0", "--served-model-name=m", "--crash-after-requests=1")) {
      int port = sim.awaitPort();
      await()
          .atMost(15, SECONDS)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> status(port, "/health") == 200);
      String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      assertThat(RunningSim.send(request).statusCode()).isEqualTo(200);
      try {
        RunningSim.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException expected) {
        // the engine died with the connection open
      }
      assertThat(sim.awaitExit()).isEqualTo(1);
      assertThat(catchConnect(port)).isTrue();
    }
  }

  @Test
  void aModelThatFailsToBootExitsOneWithAMessageWithoutBecomingHealthy() throws Exception {
    try (SimProcess sim =
        new SimProcess(
            "org/broken",
            "--revision=v2",
            "--host=127.0.0.1",
            "--port=0",
            "--startup-duration=0",
            "--fail-boot-for-models=org/broken@v2")) {
      assertThat(sim.awaitExit()).isEqualTo(1);
      assertThat(sim.stdout).doesNotContain("engine-sim ready");
      assertThat(String.join("\n", sim.stderr))
          .contains("--fail-boot-for-models")
          .contains("org/broken@v2")
          .contains("failing to boot");
    }
  }

  @Test
  void aBadEngineOptionExitsTwoNamingTheFlag() throws Exception {
    try (SimProcess sim = new SimProcess("org/repo", "--dtype=int3")) {
      assertThat(sim.awaitExit()).isEqualTo(2);
      assertThat(String.join("\n", sim.stderr)).contains("--dtype").contains("'int3'");
    }
  }

  @Test
  void unknownFlagExitsTwoWithAMessage() throws Exception {
    try (SimProcess sim = new SimProcess("--served-model-name=m", "--no-such-flag=1")) {
      assertThat(sim.awaitExit()).isEqualTo(2);
      assertThat(String.join("\n", sim.stderr)).contains("--no-such-flag");
    }
  }

  private static boolean catchConnect(int port) {
    try {
      status(port, "/health");
      return false;
    } catch (UncheckedIOException e) {
      return e.getCause() instanceof ConnectException;
    }
  }

  private static String[] concat(String[] head, String... tail) {
    String[] all = new String[head.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  static {
    // Fail fast with a clear message when run from an IDE without packaging.
    assertThat(Files.exists(Path.of(System.getProperty("engineSim.jar", "target/engine-sim.jar"))))
        .as("target/engine-sim.jar exists (run mvn package)")
        .isTrue();
  }
}
