package io.zeroscale.sim.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpData;
import io.zeroscale.sim.config.Family;
import io.zeroscale.sim.config.ModelLoad;
import io.zeroscale.sim.config.SimConfig;
import io.zeroscale.sim.engine.Engine;
import io.zeroscale.sim.engine.FinishReason;
import io.zeroscale.sim.engine.Job;
import io.zeroscale.sim.metrics.PrometheusText;
import io.zeroscale.sim.metrics.SimMetrics;
import io.zeroscale.sim.openai.EmbeddingRequest;
import io.zeroscale.sim.openai.FormPart;
import io.zeroscale.sim.openai.Generation;
import io.zeroscale.sim.openai.ImageRequest;
import io.zeroscale.sim.openai.InvalidRequestException;
import io.zeroscale.sim.openai.Json;
import io.zeroscale.sim.openai.LlmRequest;
import io.zeroscale.sim.openai.LlmResponses;
import io.zeroscale.sim.openai.LlmStream;
import io.zeroscale.sim.openai.ModelNotFoundException;
import io.zeroscale.sim.openai.Models;
import io.zeroscale.sim.openai.RerankRequest;
import io.zeroscale.sim.openai.TranscriptionRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.JsonNode;

/**
 * Routes requests and writes responses. Request parsing, output planning and timing live in other
 * packages; this class only moves bytes, never blocks, and maps every failure through {@link
 * ApiError#from}.
 */
public final class SimHandler
    implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

  private static final String JSON = "application/json";
  private static final String REQUEST_ID = "x-request-id";
  private static final byte[] EMPTY = new byte[0];

  private final SimConfig config;
  private final Engine engine;
  private final SimMetrics metrics;
  private final Readiness readiness;
  private final InstantSource clock;
  private final Consumer<String> crash;
  private final TimerSource timerSource;
  private final long startedEpochSecond;
  private final ApiKeyCheck apiKey;

  /** The {@code traceparent} of the last inference request, null when it had none. */
  private volatile String lastTraceparent;

  /**
   * @param crash called with a reason when {@code --crash-after-requests} is reached; halts the
   *     process in production
   * @param timerSource which scheduler times each request's tokens
   */
  public SimHandler(
      SimConfig config,
      Engine engine,
      SimMetrics metrics,
      Readiness readiness,
      InstantSource clock,
      Consumer<String> crash,
      TimerSource timerSource) {
    this.config = config;
    this.engine = engine;
    this.metrics = metrics;
    this.readiness = readiness;
    this.clock = clock;
    this.crash = crash;
    this.timerSource = timerSource;
    this.startedEpochSecond = clock.instant().getEpochSecond();
    this.apiKey = new ApiKeyCheck(config.apiKey());
  }

  @Override
  public Publisher<Void> apply(HttpServerRequest req, HttpServerResponse res) {
    String requestId = req.requestHeaders().get(REQUEST_ID);
    if (requestId != null) {
      res.header(REQUEST_ID, requestId);
    }
    // W3C traceparent: the simulator has no spans of its own; the last inference request's is
    // shown on /debug/last-traceparent, so that a test can check what the gateway sent.
    String path = path(req.uri());
    HttpMethod method = req.method();
    if (!apiKey.permits(path, req.requestHeaders().get(HttpHeaderNames.AUTHORIZATION))) {
      res.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
      return error(res, ApiError.unauthorized());
    }
    return switch (path) {
      case "/health" -> health(method, path, res);
      case "/metrics" -> metrics(method, path, res);
      case "/debug/credentials" -> credentials(method, path, res);
      case "/debug/engine" -> engineOptions(method, path, res);
      case "/debug/last-traceparent" -> lastTraceparent(method, path, res);
      case "/v1/models" -> models(method, path, res);
      case "/v1/chat/completions" ->
          inference(req, res, path, Family.LLM, (q, r, t) -> llm(q, r, t, true));
      case "/v1/completions" ->
          inference(req, res, path, Family.LLM, (q, r, t) -> llm(q, r, t, false));
      case "/v1/embeddings" -> inference(req, res, path, Family.EMBEDDING, this::embeddings);
      case "/v1/rerank", "/rerank", "/v2/rerank" ->
          inference(req, res, path, Family.RERANK, this::rerank);
      case "/v1/images/generations" -> inference(req, res, path, Family.IMAGE, this::images);
      case "/v1/audio/transcriptions" ->
          inference(req, res, path, Family.AUDIO, this::transcriptions);
      default -> error(res, ApiError.routeNotFound(method.name(), path));
    };
  }

  private Publisher<Void> health(HttpMethod method, String path, HttpServerResponse res) {
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      return error(res, ApiError.methodNotAllowed(method.name(), path));
    }
    // vLLM answers 200 with an empty body once the model is loaded.
    HttpResponseStatus status =
        readiness.isReady() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE;
    return res.status(status).header(HttpHeaderNames.CONTENT_LENGTH, "0").send();
  }

  private Publisher<Void> metrics(HttpMethod method, String path, HttpServerResponse res) {
    if (!method.equals(HttpMethod.GET)) {
      return error(res, ApiError.methodNotAllowed(method.name(), path));
    }
    return bytes(
        res, 200, PrometheusText.CONTENT_TYPE, metrics.render().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * {@code {"hf_token":{"masked":"hf_…abcd","sha256":"<16 hex>"}}} or {@code {"hf_token":null}}:
   * which Hugging Face token this instance was given, never the token (behind the API key, as
   * {@code /v1}); when it was given a {@code --load-format} or S3 variables (issue #20), also its
   * {@code model} argument, {@code load_format} and, under {@code aws}, those variables (secrets as
   * fingerprints, region and endpoint as they are).
   */
  private Publisher<Void> credentials(HttpMethod method, String path, HttpServerResponse res) {
    if (!method.equals(HttpMethod.GET)) {
      return error(res, ApiError.methodNotAllowed(method.name(), path));
    }
    var body = Json.object();
    if (config.hfToken() == null) {
      body.putNull("hf_token");
    } else {
      body.putObject("hf_token")
          .put("masked", config.hfToken().masked())
          .put("sha256", config.hfToken().sha256());
    }
    ModelLoad load = config.modelLoad();
    if (load.s3Related()) {
      // Only then: the body of an instance of a hub model stays as it was.
      body.put("model", load.model());
      body.put("load_format", load.loadFormat());
      var aws = body.putObject("aws");
      load.awsSecrets()
          .forEach((k, v) -> aws.putObject(k).put("masked", v.masked()).put("sha256", v.sha256()));
      load.awsSettings().forEach(aws::put);
    }
    return bytes(res, 200, JSON, Json.bytes(body));
  }

  /**
   * {@code {"model":"org/repo","revision":"<rev>"|null,"max_num_seqs":n,"engine":{...}}}: what this
   * instance was started with, {@code engine} in the shape of Zeroscale's {@code
   * EngineOptions.toMap()} ({@link io.zeroscale.sim.config.EngineFlags#toMap()}); also before
   * ready, behind the API key as {@code /v1}.
   */
  private Publisher<Void> engineOptions(HttpMethod method, String path, HttpServerResponse res) {
    if (!method.equals(HttpMethod.GET)) {
      return error(res, ApiError.methodNotAllowed(method.name(), path));
    }
    var body = Json.object();
    body.put("model", config.model());
    body.put("revision", config.revision());
    body.put("max_num_seqs", config.maxNumSeqs());
    body.set("engine", Json.MAPPER.valueToTree(config.engine().toMap()));
    return bytes(res, 200, JSON, Json.bytes(body));
  }

  /**
   * {@code {"traceparent":"00-…"|null}}: the W3C {@code traceparent} header of the last inference
   * request this instance got (behind the API key, as {@code /v1}).
   */
  private Publisher<Void> lastTraceparent(HttpMethod method, String path, HttpServerResponse res) {
    if (!method.equals(HttpMethod.GET)) {
      return error(res, ApiError.methodNotAllowed(method.name(), path));
    }
    var body = Json.object();
    body.put("traceparent", lastTraceparent);
    return bytes(res, 200, JSON, Json.bytes(body));
  }

  private Publisher<Void> models(HttpMethod method, String path, HttpServerResponse res) {
    if (!method.equals(HttpMethod.GET)) {
      return error(res, ApiError.methodNotAllowed(method.name(), path));
    }
    if (!readiness.isReady()) {
      return error(res, ApiError.notReady());
    }
    return bytes(
        res,
        200,
        JSON,
        Models.list(config.servedModelNames(), startedEpochSecond, config.maxModelLen()));
  }

  /** The checks every inference endpoint shares, then the endpoint, then error mapping. */
  private Publisher<Void> inference(
      HttpServerRequest req,
      HttpServerResponse res,
      String path,
      Family family,
      Endpoint endpoint) {
    lastTraceparent = req.requestHeaders().get("traceparent");
    if (config.family() != family) {
      return error(res, ApiError.wrongFamily(path, config.family().flagValue()));
    }
    if (!req.method().equals(HttpMethod.POST)) {
      return error(res, ApiError.methodNotAllowed(req.method().name(), path));
    }
    if (!readiness.isReady()) {
      return error(res, ApiError.notReady());
    }
    long arrived = metrics.requestArrived();
    if (config.crashAfterRequests().isPresent()
        && arrived > config.crashAfterRequests().getAsLong()) {
      crash.accept(
          "--crash-after-requests="
              + config.crashAfterRequests().getAsLong()
              + " reached (request "
              + arrived
              + " arrived)");
      return error(res, ApiError.crashed());
    }
    Scheduler timers = timerSource.timersFor(req);
    return Mono.defer(() -> endpoint.serve(req, res, timers))
        .onErrorResume(e -> res.hasSentHeaders() ? Mono.error(e) : error(res, ApiError.from(e)));
  }

  /** One inference endpoint. */
  @FunctionalInterface
  private interface Endpoint {
    Mono<Void> serve(HttpServerRequest req, HttpServerResponse res, Scheduler timers);
  }

  /** A chat completion when {@code chat}, else a plain completion. */
  private Mono<Void> llm(
      HttpServerRequest req, HttpServerResponse res, Scheduler timers, boolean chat) {
    return jsonBody(req)
        .flatMap(
            body -> {
              String model = servedModel(body);
              LlmRequest request = chat ? LlmRequest.chat(body) : LlmRequest.completion(body);
              return llm(res, timers, chat, model, request);
            });
  }

  private Mono<Void> llm(
      HttpServerResponse res, Scheduler timers, boolean chat, String model, LlmRequest request) {
    Generation generation = Generation.plan(request, config.maxModelLen());
    String id = Json.newId(chat ? "chatcmpl-" : "cmpl-");
    long created = clock.instant().getEpochSecond();
    if (request.stream()) {
      LlmStream stream =
          new LlmStream(chat, id, created, model, generation, request.includeUsage());
      return engine.execute(
          generation.job(),
          timers,
          run ->
              sse(
                  res,
                  run.ticks().map(stream::step).concatWith(Mono.fromSupplier(stream::trailer))));
    }
    return engine.execute(
        generation.job(),
        timers,
        run ->
            run.awaitCompletion()
                .then(
                    Mono.defer(
                        () ->
                            bytes(
                                res,
                                200,
                                JSON,
                                chat
                                    ? LlmResponses.chatCompletion(id, created, model, generation)
                                    : LlmResponses.textCompletion(
                                        id, created, model, generation)))));
  }

  private Mono<Void> embeddings(HttpServerRequest req, HttpServerResponse res, Scheduler timers) {
    return modelRequest(req, body -> EmbeddingRequest.parse(body, config.embeddingDimensions()))
        .flatMap(
            request -> {
              String id = Json.newId("embd-");
              long created = clock.instant().getEpochSecond();
              return singleShot(
                  timers,
                  Job.singleShot(request.promptTokens(), 0),
                  () -> bytes(res, 200, JSON, request.response(id, created)));
            });
  }

  private Mono<Void> rerank(HttpServerRequest req, HttpServerResponse res, Scheduler timers) {
    return modelRequest(req, RerankRequest::parse)
        .flatMap(
            request -> {
              String id = Json.newId("rerank-");
              return singleShot(
                  timers,
                  Job.singleShot(request.totalTokens(), 0),
                  () -> bytes(res, 200, JSON, request.response(id)));
            });
  }

  private Mono<Void> images(HttpServerRequest req, HttpServerResponse res, Scheduler timers) {
    return modelRequest(req, ImageRequest::parse)
        .flatMap(
            request -> {
              long created = clock.instant().getEpochSecond();
              return singleShot(
                  timers,
                  Job.singleShot(request.promptTokens(), 0),
                  () -> bytes(res, 200, JSON, request.response(created)));
            });
  }

  /** The JSON body as {@code parse} reads it, once its {@code model} is a served name. */
  private <R> Mono<R> modelRequest(HttpServerRequest req, Function<JsonNode, R> parse) {
    return jsonBody(req)
        .map(
            body -> {
              servedModel(body);
              return parse.apply(body);
            });
  }

  private Mono<Void> transcriptions(
      HttpServerRequest req, HttpServerResponse res, Scheduler timers) {
    if (!req.isMultipart()) {
      return Mono.error(
          new InvalidRequestException(
              null, "The request body must be multipart/form-data with a 'file' part."));
    }
    return req.receiveForm()
        .map(SimHandler::copyPart)
        .collectMap(FormPart::name)
        .flatMap(
            parts -> {
              TranscriptionRequest request = TranscriptionRequest.parse(parts);
              if (!config.serves(request.model())) {
                throw new ModelNotFoundException(request.model());
              }
              String[] tokens = request.tokens();
              if (request.stream()) {
                Job job =
                    new Job(tokens.length, request.inputTokens(), tokens.length, FinishReason.STOP);
                return engine.execute(
                    job,
                    timers,
                    run ->
                        sse(
                            res,
                            run.ticks()
                                .map(k -> request.deltaEvent(tokens[k]))
                                .concatWith(Mono.fromSupplier(() -> request.doneEvents(tokens)))));
              }
              return singleShot(
                  timers,
                  Job.singleShot(request.inputTokens(), tokens.length),
                  () -> {
                    TranscriptionRequest.Body body = request.response(tokens);
                    return bytes(res, 200, body.contentType(), body.bytes());
                  });
            });
  }

  /** Embeddings, rerank, images, non-stream audio: one response after TTFT. */
  private Mono<Void> singleShot(Scheduler timers, Job job, Supplier<Mono<Void>> respond) {
    return engine.execute(job, timers, run -> run.awaitCompletion().then(Mono.defer(respond)));
  }

  private String servedModel(JsonNode body) {
    String model = Json.model(body);
    if (!config.serves(model)) {
      throw new ModelNotFoundException(model);
    }
    return model;
  }

  private static Mono<JsonNode> jsonBody(HttpServerRequest req) {
    return req.receive().aggregate().asByteArray().defaultIfEmpty(EMPTY).map(Json::parseObject);
  }

  private static FormPart copyPart(HttpData data) {
    try {
      // Copy now: Netty releases the part's buffer once the decoder moves on.
      String filename = data instanceof FileUpload upload ? upload.getFilename() : null;
      return new FormPart(data.getName(), filename, data.get());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Streams server-sent events, flushing after every element: one element is one decode step, and a
   * gateway benchmark measures exactly when each step arrives. (Reactor Netty's default for {@code
   * send(Publisher)} may coalesce writes; the predicate forces a flush each time.)
   */
  private static Mono<Void> sse(HttpServerResponse res, Flux<byte[]> events) {
    return res.status(200)
        .header(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .send(events.map(Unpooled::wrappedBuffer), buf -> true)
        .then();
  }

  private static Mono<Void> bytes(HttpServerResponse res, int status, String type, byte[] body) {
    return res.status(status)
        .header(HttpHeaderNames.CONTENT_TYPE, type)
        .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length))
        .sendByteArray(Mono.just(body))
        .then();
  }

  private static Mono<Void> error(HttpServerResponse res, ApiError error) {
    if (error.status() == 429) {
      res.header(HttpHeaderNames.RETRY_AFTER, Integer.toString(ApiError.RETRY_AFTER_SECONDS));
    }
    return bytes(res, error.status(), JSON, error.body());
  }

  private static String path(String uri) {
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    // A trailing slash is tolerated: /v1/models/ is /v1/models.
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
