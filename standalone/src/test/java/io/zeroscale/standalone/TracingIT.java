package io.zeroscale.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Tracing on the built jar (issue #18): Boot's OTLP/HTTP exporter sends to a stand-in receiver (an
 * HTTP server in this test collecting {@code POST /v1/traces}, protobuf read by a small wire
 * decoder below, since the opentelemetry-proto classes are not on the test classpath). One cold
 * request gives one connected trace, request → hold → the activator's boot → upstream call; a warm
 * request in the client's trace gives the request and upstream spans, and the instance gets a
 * {@code traceparent} that names the gateway's upstream span. No secret is in any payload.
 */
class TracingIT {

  private static final String ADMIN = "tr-admin-" + "x".repeat(24);
  private static final String HF_TOKEN = "hf_tracingTenantToken0123456789abcdef";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path tmp;
  private static HttpServer receiver;
  private static final List<byte[]> payloads = new CopyOnWriteArrayList<>();
  private static StandaloneStack stack;
  private static String key;
  private static String tenantId;
  private static String deploymentId;

  @BeforeAll
  static void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/v1/traces",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            payloads.add(in.readAllBytes());
          }
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    String endpoint = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces";
    stack =
        StandaloneStack.start(
            tmp,
            ADMIN,
            List.of(
                // Boot's own properties, nothing of ours.
                "--management.tracing.sampling.probability=1.0",
                "--management.opentelemetry.tracing.export.otlp.endpoint=" + endpoint,
                "--management.opentelemetry.tracing.export.schedule-delay=200ms",
                "--zeroscale.runtime.process.sim.startup-duration=300ms"));
    ApiClient api = stack.api;
    ApiClient.Response t = api.post("/admin/v1/tenants", ADMIN, "{\"name\":\"tr\"}");
    assertThat(t.status()).as(t.body()).isEqualTo(201);
    tenantId = t.json().get("id").asString();
    ApiClient.Response k =
        api.post(
            "/admin/v1/tenants/tr/keys",
            ADMIN,
            "{\"name\":\"k\",\"scopes\":[\"inference:*\",\"deployments:read\",\"deployments:write\"]}");
    assertThat(k.status()).as(k.body()).isEqualTo(201);
    key = k.json().get("secret").asString();
    ApiClient.Response model =
        api.post(
            "/api/v1/models",
            key,
            "{\"name\":\"llama7\",\"source\":\"hf://meta-llama/Llama-2-7b-hf\",\"hf_token\":\""
                + HF_TOKEN
                + "\"}");
    assertThat(model.status()).as(model.body()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                "ready"
                    .equals(api.get("/api/v1/models/llama7", key).json().get("status").asString()));
    ApiClient.Response d =
        api.post(
            "/api/v1/deployments",
            key,
            "{\"model_name\":\"traced\",\"model\":\"llama7\",\"gpu\":\"A100-80GB\","
                + "\"max_batch_size\":4,\"settings\":{\"min_instances\":0,\"max_instances\":1}}");
    assertThat(d.status()).as(d.body()).isEqualTo(201);
    deploymentId = d.json().get("id").asString();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (stack != null) {
        stack.close();
      }
    } finally {
      if (receiver != null) {
        receiver.stop(0);
      }
    }
  }

  @Test
  void aColdThenAWarmRequestAreTracedFromTheGatewayThroughTheBootToTheInstance() throws Exception {
    // Cold: nothing runs; the request waits for the activator's boot.
    HttpResponse<String> cold = chat(null);
    assertThat(cold.statusCode()).as(cold.body()).isEqualTo(200);

    Span request =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> one("zeroscale.request"), Optional::isPresent)
            .get();
    String trace = request.traceId();
    List<Span> inTrace =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> trace(trace),
                s ->
                    names(s)
                        .containsAll(
                            List.of(
                                "zeroscale.request",
                                "zeroscale.hold",
                                "zeroscale.boot",
                                "zeroscale.upstream")));
    Span hold = named(inTrace, "zeroscale.hold");
    Span boot = named(inTrace, "zeroscale.boot");
    Span upstream = named(inTrace, "zeroscale.upstream");

    assertThat(request.parentSpanId())
        .as("a fresh trace: the gateway's span is its root")
        .isEmpty();
    assertThat(request.attributes())
        .containsEntry("zeroscale.tenant", tenantId)
        .containsEntry("zeroscale.deployment", deploymentId)
        .containsEntry("zeroscale.family", "llm")
        .containsEntry("zeroscale.stream", "false")
        .containsEntry("http.response.status_code", "200");
    assertThat(hold.parentSpanId()).isEqualTo(request.spanId());
    assertThat(hold.attributes()).containsEntry("zeroscale.cold", "true");
    assertThat(boot.parentSpanId())
        .as("the boot hangs under the hold that woke it")
        .isEqualTo(hold.spanId());
    assertThat(boot.events()).containsSubsequence("launch", "scheduled", "healthy");
    assertThat(boot.attributes())
        .containsEntry("zeroscale.deployment", deploymentId)
        .containsEntry("zeroscale.boot.outcome", "healthy")
        .containsKey("zeroscale.instance");
    String instance = boot.attributes().get("zeroscale.instance");
    assertThat(upstream.parentSpanId()).isEqualTo(request.spanId());
    assertThat(upstream.attributes())
        .containsEntry("zeroscale.instance", instance)
        .containsEntry("http.response.status_code", "200");
    assertThat(hold.attributes()).containsEntry("zeroscale.instance", instance);

    // Warm, in the client's trace.
    String clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String clientSpan = "00f067aa0ba902b7";
    HttpResponse<String> warm = chat("00-" + clientTrace + "-" + clientSpan + "-01");
    assertThat(warm.statusCode()).as(warm.body()).isEqualTo(200);
    List<Span> warmTrace =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> trace(clientTrace),
                s -> names(s).containsAll(List.of("zeroscale.request", "zeroscale.upstream")));
    Span warmRequest = named(warmTrace, "zeroscale.request");
    Span warmUpstream = named(warmTrace, "zeroscale.upstream");
    assertThat(warmRequest.parentSpanId()).isEqualTo(clientSpan);
    assertThat(warmUpstream.parentSpanId()).isEqualTo(warmRequest.spanId());
    assertThat(names(warmTrace)).doesNotContain("zeroscale.boot");

    JsonNode endpoint = stack.readyEndpoint(deploymentId);
    String engineKey = endpoint.get("engine_key").asString();
    HttpResponse<String> last =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(endpoint.get("url").asString() + "/debug/last-traceparent"))
                .header("Authorization", "Bearer " + engineKey)
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(last.statusCode()).as(last.body()).isEqualTo(200);
    assertThat(ApiClient.JSON.readTree(last.body()).get("traceparent").asString())
        .as("the instance's parent is the gateway's upstream span, in the client's trace")
        .isEqualTo("00-" + clientTrace + "-" + warmUpstream.spanId() + "-01");

    // No secret anywhere in what was exported: not the tenant's key, the engine key, the HF token
    // nor the admin key (nor the prompt).
    String all = everything();
    assertThat(all).contains("zeroscale.request");
    assertThat(all)
        .doesNotContain(key)
        .doesNotContain(engineKey)
        .doesNotContain(HF_TOKEN)
        .doesNotContain(ADMIN)
        .doesNotContain("trace me");
  }

  private static HttpResponse<String> chat(String traceparent) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + stack.app.port + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(90))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"traced\",\"messages\":[{\"role\":\"user\",\"content\":\"trace"
                        + " me\"}],\"max_tokens\":3}"));
    if (traceparent != null) {
      b.header("traceparent", traceparent);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String everything() {
    StringBuilder sb = new StringBuilder();
    for (byte[] p : payloads) {
      sb.append(new String(p, StandardCharsets.ISO_8859_1));
    }
    return sb.toString();
  }

  private static List<Span> spans() {
    List<Span> out = new ArrayList<>();
    for (byte[] p : payloads) {
      out.addAll(Otlp.spans(p));
    }
    return out;
  }

  private static Optional<Span> one(String name) {
    return spans().stream()
        .filter(s -> s.name().equals(name))
        .filter(s -> deploymentId.equals(s.attributes().get("zeroscale.deployment")))
        .findFirst();
  }

  private static List<Span> trace(String traceId) {
    return spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  private static List<String> names(List<Span> spans) {
    return spans.stream().map(Span::name).toList();
  }

  private static Span named(List<Span> spans, String name) {
    List<Span> found = spans.stream().filter(s -> s.name().equals(name)).toList();
    assertThat(found).as(name).hasSize(1);
    return found.getFirst();
  }

  /** One exported span: ids in lowercase hex (the parent empty for a root). */
  record Span(
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      Map<String, String> attributes,
      List<String> events) {}

  /**
   * Reads OTLP/HTTP protobuf ({@code ExportTraceServiceRequest}) by its field numbers: request 1 =
   * resource spans; resource spans 2 = scope spans; scope spans 2 = spans; span 1 trace id, 2 span
   * id, 4 parent span id, 5 name, 9 attributes, 11 events; key-value 1 key, 2 value; any-value 1
   * string, 2 bool, 3 int, 4 double; event 2 name.
   */
  static final class Otlp {

    private static final HexFormat HEX = HexFormat.of();

    static List<Span> spans(byte[] request) {
      List<Span> out = new ArrayList<>();
      for (byte[] resourceSpans : fields(request).getOrDefault(1, List.of())) {
        for (byte[] scopeSpans : fields(resourceSpans).getOrDefault(2, List.of())) {
          for (byte[] span : fields(scopeSpans).getOrDefault(2, List.of())) {
            out.add(span(span));
          }
        }
      }
      return out;
    }

    private static Span span(byte[] bytes) {
      Map<Integer, List<byte[]>> f = fields(bytes);
      Map<String, String> attributes = new LinkedHashMap<>();
      for (byte[] kv : f.getOrDefault(9, List.of())) {
        Map<Integer, List<byte[]>> k = fields(kv);
        attributes.put(string(k, 1), value(k.getOrDefault(2, List.of(new byte[0])).getFirst()));
      }
      List<String> events = new ArrayList<>();
      for (byte[] e : f.getOrDefault(11, List.of())) {
        events.add(string(fields(e), 2));
      }
      return new Span(hex(f, 1), hex(f, 2), hex(f, 4), string(f, 5), attributes, events);
    }

    /** An AnyValue as text; ints and bools are stored as varints (8-byte LE values for doubles). */
    private static String value(byte[] any) {
      Reader r = new Reader(any);
      while (r.more()) {
        long tag = r.varint();
        int field = (int) (tag >>> 3);
        int wire = (int) (tag & 7);
        switch (wire) {
          case 0 -> {
            long v = r.varint();
            return field == 2 ? String.valueOf(v != 0) : String.valueOf(v);
          }
          case 1 -> {
            return String.valueOf(Double.longBitsToDouble(r.fixed64()));
          }
          case 2 -> {
            return new String(r.bytes(), StandardCharsets.UTF_8);
          }
          default -> r.skip(wire);
        }
      }
      return "";
    }

    private static String string(Map<Integer, List<byte[]>> f, int field) {
      List<byte[]> v = f.get(field);
      return v == null ? "" : new String(v.getFirst(), StandardCharsets.UTF_8);
    }

    private static String hex(Map<Integer, List<byte[]>> f, int field) {
      List<byte[]> v = f.get(field);
      return v == null ? "" : HEX.formatHex(v.getFirst());
    }

    /** The length-delimited fields of a message by number (other wire types are skipped). */
    private static Map<Integer, List<byte[]>> fields(byte[] message) {
      Map<Integer, List<byte[]>> out = new LinkedHashMap<>();
      Reader r = new Reader(message);
      while (r.more()) {
        long tag = r.varint();
        int wire = (int) (tag & 7);
        if (wire == 2) {
          out.computeIfAbsent((int) (tag >>> 3), n -> new ArrayList<>()).add(r.bytes());
        } else {
          r.skip(wire);
        }
      }
      return out;
    }

    private static final class Reader {
      private final byte[] b;
      private int pos;

      Reader(byte[] b) {
        this.b = b;
      }

      boolean more() {
        return pos < b.length;
      }

      long varint() {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
          byte x = b[pos++];
          v |= (long) (x & 0x7f) << shift;
          if (x >= 0) {
            return v;
          }
        }
      }

      long fixed64() {
        long v = 0;
        for (int i = 0; i < 8; i++) {
          v |= (long) (b[pos++] & 0xff) << (8 * i);
        }
        return v;
      }

      byte[] bytes() {
        int n = (int) varint();
        byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
        pos += n;
        return out;
      }

      void skip(int wire) {
        switch (wire) {
          case 0 -> varint();
          case 1 -> pos += 8;
          case 2 -> bytes();
          case 5 -> pos += 4;
          default -> throw new IllegalStateException("wire type " + wire);
        }
      }
    }
  }
}
