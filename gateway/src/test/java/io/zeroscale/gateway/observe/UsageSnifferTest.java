package io.zeroscale.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

class UsageSnifferTest {

  private static final String SSE = "text/event-stream";
  private static final String JSON = "application/json";

  private static final String HEAD =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
          + "\"model\":\"acme/llama\",";

  private static String chunk(String content, String finish) {
    return HEAD
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + content
        + "\"},\"logprobs\":null,\"finish_reason\":"
        + finish
        + "}]}";
  }

  /**
   * A vLLM chat stream with {@code stream_options.include_usage}: a comment first (11 bytes), a
   * role chunk, content with multi-byte characters and a quoted usage look-alike, the finish chunk,
   * the usage chunk, {@code [DONE]}.
   */
  static final String STREAM =
      ": waiting\n\n"
          + "data: "
          + HEAD
          + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
          + "\"logprobs\":null,\"finish_reason\":null}]}\n\n"
          + "data: "
          + chunk("Héllo", "null")
          + "\n\n"
          + "data: "
          + chunk(" wörld 😀 模型", "null")
          + "\n\n"
          + "data: "
          + chunk("say \\\"usage\\\": {\\\"prompt_tokens\\\": 999}", "null")
          + "\n\n"
          + "data: "
          + chunk("", "\"stop\"")
          + "\n\n"
          + "data: "
          + HEAD
          + "\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"total_tokens\":19,"
          + "\"completion_tokens\":7,\"prompt_tokens_details\":null}}\n\n"
          + "data: [DONE]\n\n";

  static final Usage STREAM_USAGE = new Usage(12, 7, 19);
  static final int FIRST_DATA_BYTE = 11;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r\n", "\r"})
  void everySplitOfAStreamGivesTheUsageAndTheFirstEventTime(String eol) {
    byte[] body = utf8(STREAM.replace("\n", eol));
    int firstData = STREAM.substring(0, FIRST_DATA_BYTE).replace("\n", eol).length();
    for (int split = 0; split <= body.length; split++) {
      AtomicLong now = new AtomicLong(100);
      UsageSniffer sniffer = UsageSniffer.forContentType(SSE, now::get);
      sniffer.accept(body, 0, split);
      now.set(200);
      sniffer.accept(body, split, body.length - split);
      assertThat(sniffer.usage()).as("split at %d", split).contains(STREAM_USAGE);
      assertThat(sniffer.firstEventNanos())
          .as("split at %d", split)
          .isEqualTo(OptionalLong.of(split > firstData ? 100 : 200));
    }
  }

  @Test
  void everyTwoSplitsOfTheUsageEventWork() {
    // Three chunks with both cuts anywhere in the last two events, including inside "😀".
    String stream = STREAM.replace("[DONE]", "[DONE] 😀");
    byte[] body = utf8(stream);
    int from = utf8(stream.substring(0, stream.lastIndexOf("\n\ndata: " + HEAD))).length;
    for (int a = from; a <= body.length; a++) {
      for (int b = a; b <= body.length; b++) {
        UsageSniffer sniffer = UsageSniffer.forContentType(SSE, () -> 1);
        sniffer.accept(Arrays.copyOfRange(body, 0, a));
        sniffer.accept(Arrays.copyOfRange(body, a, b));
        sniffer.accept(Arrays.copyOfRange(body, b, body.length));
        assertThat(sniffer.usage()).as("cuts %d %d", a, b).contains(STREAM_USAGE);
      }
    }
  }

  @Test
  void oneByteAtATime() {
    byte[] body = utf8(STREAM.replace("\n", "\r\n"));
    AtomicInteger clockReads = new AtomicInteger();
    UsageSniffer sniffer =
        UsageSniffer.forContentType(SSE, () -> 1000 + clockReads.incrementAndGet());
    for (byte b : body) {
      sniffer.accept(new byte[] {b});
    }
    assertThat(sniffer.usage()).contains(STREAM_USAGE);
    // Read at the first byte of each line until the first data line is known: the comment line,
    // then the data line whose first byte is read at the second call.
    assertThat(sniffer.firstEventNanos()).isEqualTo(OptionalLong.of(1002));
    assertThat(clockReads).hasValue(2);
  }

  @Test
  void theClockIsReadAtMostOncePerChunkAndNeverOnceTheFirstEventIsKnown() {
    AtomicInteger reads = new AtomicInteger();
    UsageSniffer sniffer = UsageSniffer.forContentType(SSE, () -> reads.incrementAndGet());
    sniffer.accept(utf8(": a\n: b\n: c\n"));
    assertThat(reads).hasValue(1);
    sniffer.accept(utf8("data: {}\n\n"));
    assertThat(reads).hasValue(2);
    sniffer.accept(utf8(STREAM));
    assertThat(reads).hasValue(2);
    assertThat(sniffer.firstEventNanos()).isEqualTo(OptionalLong.of(2));
  }

  @Test
  void aNegativeClockReadingIsATimeLikeAnyOther() {
    // System.nanoTime has an arbitrary origin and may be negative.
    AtomicInteger reads = new AtomicInteger();
    UsageSniffer sniffer =
        UsageSniffer.forContentType(SSE, () -> -1_000_000L * reads.incrementAndGet());
    sniffer.accept(utf8("data: {}\n\ndata: {}\n\n"));
    sniffer.accept(utf8("data: {}\n\n"));
    assertThat(sniffer.firstEventNanos()).isEqualTo(OptionalLong.of(-1_000_000L));
    assertThat(reads).hasValue(1);
  }

  @Test
  void commentsAndOtherFieldsAreNotTheFirstEvent() {
    UsageSniffer sniffer = UsageSniffer.forContentType(SSE, () -> 5);
    sniffer.accept(utf8(": waiting for instance\n\nevent: ping\nid: 1\nretry: 10\ndatum: x\n\n"));
    assertThat(sniffer.firstEventNanos()).isEmpty();
    assertThat(sniffer.usage()).isEmpty();
  }

  @Test
  void theLastNonNullUsageWins() {
    // OpenAI sends "usage":null on every chunk but the last; vLLM's continuous_usage_stats sends
    // a running total on each. A null after a real one does not erase it.
    String stream =
        "data: {\"choices\":[],\"usage\":null}\n\n"
            + "data:{\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}\n\n"
            + "data: {\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}\n\n"
            + "data: {\"choices\":[{\"usage\":{\"prompt_tokens\":1}}],\"usage\":null}\n\n"
            + "data: [DONE]\n\n";
    UsageSniffer sniffer = UsageSniffer.forContentType(SSE, () -> 0);
    sniffer.accept(utf8(stream));
    assertThat(sniffer.usage()).contains(new Usage(5, 3, 8));
  }

  @Test
  void aStreamWithoutUsageHasNone() {
    UsageSniffer sniffer = UsageSniffer.forContentType(SSE, () -> 0);
    sniffer.accept(utf8(STREAM.substring(0, STREAM.indexOf("data: " + HEAD + "\"choices\":[],"))));
    sniffer.accept(utf8("data: [DONE]\n\n"));
    assertThat(sniffer.usage()).isEmpty();
    assertThat(sniffer.firstEventNanos()).isPresent();
  }

  @Test
  void aUsageObjectNestedInAChoiceIsNotTheUsage() {
    UsageSniffer sniffer = UsageSniffer.forContentType(SSE, () -> 0);
    sniffer.accept(utf8("data: {\"choices\":[{\"usage\":{\"prompt_tokens\":3}}]}\n\n"));
    assertThat(sniffer.usage()).isEmpty();
  }

  @Test
  void aFinalLineWithoutItsLineEndStillCounts() {
    UsageSniffer sniffer = UsageSniffer.forContentType(SSE, () -> 0);
    sniffer.accept(utf8("data: {\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":1}}"));
    assertThat(sniffer.usage()).contains(new Usage(2, 1, 3));
    UsageSniffer cut = UsageSniffer.forContentType(SSE, () -> 0);
    cut.accept(utf8("data: {\"usage\":{\"prompt_tokens\":2,\"completion_tok"));
    assertThat(cut.usage()).isEmpty();
  }

  @Test
  void aByteOrderMarkBeforeTheFirstLineIsIgnored() {
    UsageSniffer sniffer = UsageSniffer.forContentType(SSE, () -> 9);
    sniffer.accept(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    sniffer.accept(utf8("data: {\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}\n\n"));
    assertThat(sniffer.usage()).contains(new Usage(2, 0, 2));
    assertThat(sniffer.firstEventNanos()).isEqualTo(OptionalLong.of(9));
  }

  @Test
  void memoryStaysBoundedForHugeLinesAndLongStreams() {
    UsageSniffer sniffer = UsageSniffer.forContentType(SSE, () -> 0);
    byte[] content = new byte[10_000];
    Arrays.fill(content, (byte) 'x');
    sniffer.accept(utf8("data: {\"choices\":[{\"delta\":{\"content\":\""));
    for (int i = 0; i < 200; i++) {
      sniffer.accept(content); // one 2 MB line
    }
    sniffer.accept(utf8("\"}}]}\n\n"));
    for (int i = 0; i < 10_000; i++) {
      sniffer.accept(utf8("data: " + chunk("token " + i, "null") + "\n\n"));
    }
    sniffer.accept(utf8("data: {\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":10001}}\n\n"));
    assertThat(sniffer.usage()).contains(new Usage(4, 10001, 10005));
    assertThat(sniffer.retainedBytes()).isLessThanOrEqualTo(UsageSniffer.MAX_LINE);
    assertThat(sniffer.firstEventNanos()).isPresent();
  }

  // ---- JSON

  static final String CHAT_RESPONSE =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
          + "\"The \\\"usage\\\": {\\\"prompt_tokens\\\": 1} héllo 😀\"},\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":9,\"total_tokens\":21,\"completion_tokens\":12,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":0}},\"system_fingerprint\":null}";

  @Test
  void everySplitOfAJsonResponseGivesItsUsage() {
    byte[] body = utf8(CHAT_RESPONSE);
    for (int split = 0; split <= body.length; split++) {
      UsageSniffer sniffer = UsageSniffer.forContentType(JSON, () -> 0);
      sniffer.accept(body, 0, split);
      sniffer.accept(body, split, body.length - split);
      assertThat(sniffer.usage()).as("split at %d", split).contains(new Usage(9, 12, 21));
      assertThat(sniffer.firstEventNanos()).isEmpty();
    }
  }

  /** A vLLM embeddings response of {@code inputs} × 1024 floats, usage last. */
  static byte[] embeddings(int inputs) {
    Random random = new Random(3);
    StringBuilder sb =
        new StringBuilder("{\"id\":\"embd-1\",\"object\":\"list\",\"created\":1,\"model\":\"e5\",");
    sb.append("\"data\":[");
    for (int i = 0; i < inputs; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"index\":").append(i);
      sb.append(",\"object\":\"embedding\",\"embedding\":[");
      for (int d = 0; d < 1024; d++) {
        sb.append(d == 0 ? "" : ",").append(random.nextGaussian() / 10);
      }
      sb.append("]}");
    }
    sb.append("],\"usage\":{\"prompt_tokens\":812,\"total_tokens\":812,\"completion_tokens\":0}}");
    return utf8(sb.toString());
  }

  @Test
  void aLargeJsonResponseIsReadFromItsEndWithinTheWindow() {
    byte[] body = embeddings(100); // ~2 MB
    assertThat(body.length).isGreaterThan(1_500_000);
    Random random = new Random(11);
    UsageSniffer sniffer = UsageSniffer.forContentType("application/json; charset=utf-8", () -> 0);
    for (int at = 0; at < body.length; ) {
      int n = Math.min(body.length - at, 1 + random.nextInt(20_000));
      sniffer.accept(body, at, n);
      at += n;
    }
    assertThat(sniffer.usage()).contains(new Usage(812, 0, 812));
    assertThat(sniffer.retainedBytes()).isEqualTo(UsageSniffer.JSON_WINDOW);
    // One chunk bigger than the window.
    UsageSniffer whole = UsageSniffer.forContentType(JSON, () -> 0);
    whole.accept(body);
    assertThat(whole.usage()).contains(new Usage(812, 0, 812));
  }

  @Test
  void theWindowEdgeIsExact() {
    String usage = ",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}";
    String start = "{\"pad\":\"";
    for (int size :
        new int[] {
          UsageSniffer.JSON_WINDOW - 1,
          UsageSniffer.JSON_WINDOW,
          UsageSniffer.JSON_WINDOW + 1,
          UsageSniffer.JSON_WINDOW * 2 + 7
        }) {
      String pad = "p".repeat(size - start.length() - usage.length() - 1);
      byte[] body = utf8(start + pad + "\"" + usage);
      assertThat(body).hasSize(size);
      for (int split : new int[] {1, size / 2, size - 1}) {
        UsageSniffer sniffer = UsageSniffer.forContentType(JSON, () -> 0);
        sniffer.accept(body, 0, split);
        sniffer.accept(body, split, size - split);
        assertThat(sniffer.usage())
            .as("size %d split %d", size, split)
            .contains(new Usage(3, 0, 3));
      }
    }
  }

  @Test
  void usageShapesOfTheOtherFamilies() {
    assertThat(jsonUsage("{\"results\":[],\"usage\":{\"total_tokens\":40}}"))
        .contains(new Usage(40, 0, 40)); // rerank: vLLM, Jina
    assertThat(jsonUsage("{\"data\":[],\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}"))
        .contains(new Usage(8, 0, 8)); // embeddings
    assertThat(
            jsonUsage(
                "{\"data\":[],\"usage\":{\"input_tokens\":50,\"output_tokens\":4160,"
                    + "\"total_tokens\":4210,\"input_tokens_details\":{\"text_tokens\":50}}}"))
        .contains(new Usage(50, 4160, 4210)); // images
    assertThat(jsonUsage("{\"text\":\"hi\",\"usage\":{\"type\":\"duration\",\"seconds\":3}}"))
        .isEmpty(); // transcription billed by duration
    assertThat(jsonUsage("{\"usage\":null}")).isEmpty();
    assertThat(jsonUsage("{\"usage\":{\"prompt_tokens\":-1}}")).isEmpty();
    assertThat(jsonUsage("{\"usage\":{\"prompt_tokens\":1.5}}")).isEmpty();
    assertThat(jsonUsage("{\"usage\":{\"prompt_tokens\":99999999999999999999999}}")).isEmpty();
    assertThat(jsonUsage("{\"choices\":[{\"usage\":{\"prompt_tokens\":3}}]}")).isEmpty();
    assertThat(jsonUsage("{\"error\":{\"message\":\"bad\"}}")).isEmpty();
    assertThat(jsonUsage("not json")).isEmpty();
    assertThat(jsonUsage("")).isEmpty();
    // A response cut after its usage still yields it.
    assertThat(jsonUsage("{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2},\"x\":"))
        .contains(new Usage(1, 2, 3));
  }

  private static Optional<Usage> jsonUsage(String body) {
    UsageSniffer sniffer = UsageSniffer.forContentType(JSON, () -> 0);
    sniffer.accept(utf8(body));
    return sniffer.usage();
  }

  @ParameterizedTest
  @ValueSource(strings = {"image/png", "audio/wav", "text/plain", "application/octet-stream"})
  void otherTypesAreIgnored(String type) {
    UsageSniffer sniffer = UsageSniffer.forContentType(type, () -> 0);
    sniffer.accept(utf8("data: {\"usage\":{\"prompt_tokens\":2}}\n\n"));
    assertThat(sniffer.usage()).isEmpty();
    assertThat(sniffer.firstEventNanos()).isEmpty();
    assertThat(sniffer.retainedBytes()).isZero();
    assertThat(UsageSniffer.forContentType(null, () -> 0).usage()).isEmpty();
  }

  @Test
  void contentTypeParametersAndJsonSuffixesAreUnderstood() {
    UsageSniffer sse = UsageSniffer.forContentType("Text/Event-Stream; charset=utf-8", () -> 0);
    sse.accept(utf8("data: {\"usage\":{\"prompt_tokens\":2}}\n\n"));
    assertThat(sse.usage()).contains(new Usage(2, 0, 2));
    UsageSniffer json = UsageSniffer.forContentType("application/vnd.api+json", () -> 0);
    json.accept(utf8("{\"usage\":{\"prompt_tokens\":2}}"));
    assertThat(json.usage()).contains(new Usage(2, 0, 2));
  }

  @Test
  void buffersAreReadWithoutMovingThem() {
    byte[] body = utf8(STREAM);
    ByteBuffer direct = ByteBuffer.allocateDirect(body.length + 10);
    direct.put(new byte[] {1, 2, 3}).put(body).flip().position(3);
    ByteBuffer readOnly = ByteBuffer.wrap(body).asReadOnlyBuffer();
    ByteBuffer slice = ByteBuffer.wrap(utf8("xx" + STREAM), 2, body.length).slice();
    for (ByteBuffer b : new ByteBuffer[] {direct, readOnly, slice}) {
      int position = b.position();
      int limit = b.limit();
      UsageSniffer sniffer = UsageSniffer.forContentType(SSE, () -> 0);
      sniffer.accept(b);
      assertThat(b.position()).isEqualTo(position);
      assertThat(b.limit()).isEqualTo(limit);
      assertThat(sniffer.usage()).contains(STREAM_USAGE);
    }
    DataBuffer data = DefaultDataBufferFactory.sharedInstance.wrap(body);
    UsageSniffer sniffer = UsageSniffer.forContentType(SSE, () -> 0);
    sniffer.accept(data);
    assertThat(data.readPosition()).isZero();
    assertThat(data.readableByteCount()).isEqualTo(body.length);
    assertThat(sniffer.usage()).contains(STREAM_USAGE);
  }
}
