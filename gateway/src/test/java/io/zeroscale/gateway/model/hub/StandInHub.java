package io.zeroscale.gateway.model.hub;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stand-in for the Hugging Face hub on 127.0.0.1 (the real one is not reachable from CI), serving
 * fake repos with the real hub's shapes:
 *
 * <ul>
 *   <li>{@code GET /api/models/{owner}/{name}/revision/{revision}} → metadata JSON ({@code sha},
 *       {@code config}, {@code safetensors}, {@code siblings}, {@code gated});
 *   <li>{@code GET /{owner}/{name}/resolve/{revision}/model.safetensors.index.json} and {@code
 *       config.json}. Weight files themselves are not served.
 * </ul>
 *
 * <p>Errors carry the hub's {@code X-Error-Code} header ({@code RepoNotFound}, {@code
 * RevisionNotFound}, {@code GatedRepo}, {@code EntryNotFound}). One difference: for an unknown repo
 * the real hub answers 401 to anonymous callers (so as not to reveal private repos); this one
 * answers 404, which keeps tests of "not found" and "denied" apart.
 *
 * <p>Every request is recorded (method, raw URI, {@code Authorization} header) so that tests can
 * check what was asked and that a token was sent. Public so that other gateway tests, and later the
 * end-to-end module, can reuse it.
 */
public final class StandInHub implements AutoCloseable {

  /** The token {@link #addGatedRepo(String)} accepts. */
  public static final String GATED_TOKEN = "hf_secret";

  /**
   * Bytes each shard file has on top of its share of the tensors: the safetensors JSON header.
   * Llama-2-7b-hf's two files are 33_152 bytes larger than its index total, 16_576 each.
   */
  public static final long SHARD_HEADER_BYTES = 16_576;

  /** A ready-made repo: Llama-2 in 16 bits, sharded, with an index. */
  public record Preset(String repo, String architecture, long totalBytes, int shards) {}

  public static final Preset LLAMA_7B =
      new Preset("meta-llama/Llama-2-7b-hf", "LlamaForCausalLM", 13_476_839_424L, 2);

  public static final Preset LLAMA_70B =
      new Preset("meta-llama/Llama-2-70b-hf", "LlamaForCausalLM", 137_953_316_864L, 15);

  /** One request as received; {@code uri} is raw (still percent-encoded) with its query. */
  public record Request(String method, String uri, String authorization) {}

  private record Sibling(String name, Long size) {}

  private record Revision(
      String architecture,
      List<Sibling> siblings,
      Map<String, Long> parameters,
      Long indexTotalBytes,
      String rawInfo) {}

  private final JsonMapper json = JsonMapper.builder().build();
  private final Map<String, Revision> revisions = new ConcurrentHashMap<>();
  private final Map<String, String> gatedTokens = new ConcurrentHashMap<>();
  private final Map<String, String> privateTokens = new ConcurrentHashMap<>();
  private final Map<String, String> redirects = new ConcurrentHashMap<>();
  private final Map<String, String> locations = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile int failStatus;
  private volatile Duration delay = Duration.ZERO;
  private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
  private final DisposableServer server;

  private StandInHub() {
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle(this::handle)
            .bindNow(Duration.ofSeconds(10));
  }

  /** A running hub with no repos, on a free port. */
  public static StandInHub start() {
    return new StandInHub();
  }

  /** e.g. {@code http://127.0.0.1:41234}, to use as {@code zeroscale.hub.url}. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  @Override
  public void close() {
    server.disposeNow(Duration.ofSeconds(5));
  }

  /** {@link #addSafetensorsRepo} of a preset at {@code main}. */
  public StandInHub add(Preset preset) {
    return addSafetensorsRepo(
        preset.repo(), "main", preset.architecture(), preset.totalBytes(), preset.shards(), true);
  }

  /**
   * A repo with {@code shards} safetensors files holding {@code totalBytes} of tensors (each file
   * {@link #SHARD_HEADER_BYTES} larger), 16-bit parameter counts ({@code totalBytes / 2}), and when
   * {@code withIndex} a {@code model.safetensors.index.json} whose total is {@code totalBytes}.
   */
  public StandInHub addSafetensorsRepo(
      String repo,
      String revision,
      String architecture,
      long totalBytes,
      int shards,
      boolean withIndex) {
    List<Sibling> siblings = new ArrayList<>();
    siblings.add(new Sibling("config.json", 614L));
    long share = totalBytes / shards;
    for (int i = 1; i <= shards; i++) {
      String name =
          shards == 1
              ? "model.safetensors"
              : String.format("model-%05d-of-%05d.safetensors", i, shards);
      long tensors = i == shards ? totalBytes - share * (shards - 1) : share;
      siblings.add(new Sibling(name, tensors + SHARD_HEADER_BYTES));
    }
    if (withIndex) {
      siblings.add(new Sibling(HubClient.INDEX_FILE, 26_788L));
    }
    revisions.put(
        key(repo, revision),
        new Revision(
            architecture,
            siblings,
            Map.of("BF16", totalBytes / 2),
            withIndex ? totalBytes : null,
            null));
    return this;
  }

  /**
   * A repo whose siblings have no sizes and that has no index (as the hub answers without {@code
   * blobs=true}): only the parameter counts tell the size.
   */
  public StandInHub addParametersOnlyRepo(
      String repo, String revision, String architecture, Map<String, Long> parametersByDtype) {
    List<Sibling> siblings =
        List.of(
            new Sibling("config.json", null),
            new Sibling("model.safetensors", null),
            new Sibling("tokenizer.json", null));
    revisions.put(
        key(repo, revision),
        new Revision(architecture, siblings, new LinkedHashMap<>(parametersByDtype), null, null));
    return this;
  }

  /** A repo at {@code main} with only {@code pytorch_model.bin} weights. */
  public StandInHub addBinOnlyRepo(String repo) {
    List<Sibling> siblings =
        List.of(
            new Sibling("config.json", 614L),
            new Sibling("pytorch_model.bin", 13_476_956_544L),
            new Sibling("tokenizer.json", 1_842_767L));
    revisions.put(
        key(repo, "main"), new Revision("LlamaForCausalLM", siblings, Map.of(), null, null));
    return this;
  }

  /**
   * A gated repo shaped like {@link #LLAMA_7B}, as the hub gates: metadata for anyone (with {@code
   * "gated":"manual"}), files only with {@link #GATED_TOKEN} (401 without a token, 403 with
   * another).
   */
  public StandInHub addGatedRepo(String repo) {
    addSafetensorsRepo(
        repo, "main", LLAMA_7B.architecture(), LLAMA_7B.totalBytes(), LLAMA_7B.shards(), true);
    gatedTokens.put(repo, GATED_TOKEN);
    return this;
  }

  /**
   * Makes a registered repo private: every request for it, metadata included, answers 401 unless it
   * carries {@code Authorization: Bearer <token>}. On a gated repo, also changes the gate's token.
   */
  public StandInHub requireToken(String repo, String token) {
    if (gatedTokens.containsKey(repo)) {
      gatedTokens.put(repo, token);
    } else {
      privateTokens.put(repo, token);
    }
    return this;
  }

  /** Serves {@code infoJson} verbatim as the metadata of {@code repo@revision}. */
  public StandInHub addRawRepo(String repo, String revision, String infoJson) {
    revisions.put(key(repo, revision), new Revision(null, List.of(), Map.of(), null, infoJson));
    return this;
  }

  /** Answers every request for {@code fromRepo} with a 307 to {@code toRepo}, as for a rename. */
  public StandInHub addRedirect(String fromRepo, String toRepo) {
    redirects.put(fromRepo, toRepo);
    return this;
  }

  /**
   * Answers every request for {@code fromRepo} with a 307 to exactly {@code location}: another
   * server, another scheme, an IP literal, anything a hostile or broken hub might send.
   */
  public StandInHub redirectTo(String fromRepo, String location) {
    locations.put(fromRepo, location);
    return this;
  }

  /** Answers every request with {@code status} (0 to serve normally again). */
  public StandInHub failWith(int status) {
    this.failStatus = status;
    return this;
  }

  /** Waits this long before every answer. */
  public StandInHub delay(Duration delay) {
    this.delay = delay;
    return this;
  }

  /** An open gate lets the answers it held go. */
  public interface Gate extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Holds every answer until the returned gate is closed: a test sees the state "lookup under way"
   * for as long as it needs, instead of racing a delay.
   */
  public Gate hold() {
    CompletableFuture<Void> held = new CompletableFuture<>();
    gate = held;
    return () -> held.complete(null);
  }

  /** Every request received so far, oldest first. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The commit sha served for {@code repo@revision}: 40 hex digits, stable across runs. */
  public static String sha(String repo, String revision) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1")
              .digest(key(repo, revision).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required by every Java platform", e);
    }
  }

  private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
    String authorization = request.requestHeaders().get("Authorization");
    requests.add(new Request(request.method().name(), request.uri(), authorization));
    Mono<Void> answer = Mono.defer(() -> answer(request.uri(), authorization, response));
    Duration wait = delay;
    Mono<Void> delayed = wait.isZero() ? answer : Mono.delay(wait).then(answer);
    CompletableFuture<Void> held = gate;
    return held.isDone() ? delayed : Mono.fromFuture(held).then(delayed);
  }

  private Mono<Void> answer(String uri, String authorization, HttpServerResponse response) {
    if (failStatus != 0) {
      return send(response, failStatus, null, "{\"error\":\"stand-in hub failure\"}");
    }
    String path = uri.split("\\?", 2)[0];
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/")) {
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    String repo;
    String revision;
    String file;
    if (segments.size() == 6
        && segments.get(0).equals("api")
        && segments.get(1).equals("models")
        && segments.get(4).equals("revision")) {
      repo = segments.get(2) + "/" + segments.get(3);
      revision = decode(segments.get(5));
      file = null;
    } else if (segments.size() >= 5 && segments.get(2).equals("resolve")) {
      repo = segments.get(0) + "/" + segments.get(1);
      revision = decode(segments.get(3));
      file = String.join("/", segments.subList(4, segments.size()));
    } else {
      return send(response, 404, null, "{\"error\":\"Not Found\"}");
    }
    String location = locations.get(repo);
    if (location != null) {
      return response.status(307).header("Location", location).send();
    }
    String renamed = redirects.get(repo);
    if (renamed != null) {
      return response
          .status(307)
          .header("Location", uri.replace("/" + repo + "/", "/" + renamed + "/"))
          .send();
    }
    String presented =
        authorization != null && authorization.startsWith("Bearer ")
            ? authorization.substring("Bearer ".length())
            : null;
    String privateToken = privateTokens.get(repo);
    if (privateToken != null && !privateToken.equals(presented)) {
      return send(response, 401, "RepoNotFound", "{\"error\":\"Repository Not Found\"}");
    }
    Revision found = revisions.get(key(repo, revision));
    if (found == null) {
      boolean repoExists = revisions.keySet().stream().anyMatch(k -> k.startsWith(repo + "@"));
      return repoExists
          ? send(response, 404, "RevisionNotFound", "{\"error\":\"Invalid rev id\"}")
          : send(response, 404, "RepoNotFound", "{\"error\":\"Repository not found\"}");
    }
    if (file == null) {
      String body =
          found.rawInfo() != null ? found.rawInfo() : info(repo, revision, found).toString();
      return send(response, 200, null, body);
    }
    String gateToken = gatedTokens.get(repo);
    if (gateToken != null && !gateToken.equals(presented)) {
      return send(
          response,
          presented == null ? 401 : 403,
          "GatedRepo",
          "{\"error\":\"Access to model " + repo + " is restricted.\"}");
    }
    if (file.equals(HubClient.INDEX_FILE) && found.indexTotalBytes() != null) {
      ObjectNode index = json.createObjectNode();
      index.putObject("metadata").put("total_size", found.indexTotalBytes());
      ObjectNode weightMap = index.putObject("weight_map");
      weightMap.put("model.embed_tokens.weight", "model-00001-of-00002.safetensors");
      return send(response, 200, null, index.toString());
    }
    if (file.equals("config.json") && found.architecture() != null) {
      ObjectNode config = json.createObjectNode();
      config.putArray("architectures").add(found.architecture());
      config.put("model_type", modelType(found.architecture()));
      return send(response, 200, null, config.toString());
    }
    return send(response, 404, "EntryNotFound", "{\"error\":\"Entry not found\"}");
  }

  private ObjectNode info(String repo, String revision, Revision found) {
    ObjectNode info = json.createObjectNode();
    info.put("id", repo);
    info.put("sha", sha(repo, revision));
    info.put("private", privateTokens.containsKey(repo));
    if (gatedTokens.containsKey(repo)) {
      info.put("gated", "manual");
    } else {
      info.put("gated", false);
    }
    if (found.architecture() != null) {
      ObjectNode config = info.putObject("config");
      config.putArray("architectures").add(found.architecture());
      config.put("model_type", modelType(found.architecture()));
    }
    if (!found.parameters().isEmpty()) {
      ObjectNode safetensors = info.putObject("safetensors");
      ObjectNode parameters = safetensors.putObject("parameters");
      long total = 0;
      for (Map.Entry<String, Long> entry : found.parameters().entrySet()) {
        parameters.put(entry.getKey(), entry.getValue());
        total += entry.getValue();
      }
      safetensors.put("total", total);
    }
    ArrayNode siblings = info.putArray("siblings");
    for (Sibling sibling : found.siblings()) {
      ObjectNode node = siblings.addObject().put("rfilename", sibling.name());
      if (sibling.size() != null) {
        node.put("size", sibling.size());
      }
    }
    return info;
  }

  /** {@code LlamaForCausalLM} → {@code llama}, as transformers names model types. */
  private static String modelType(String architecture) {
    int cut = architecture.indexOf("For");
    return (cut > 0 ? architecture.substring(0, cut) : architecture).toLowerCase(Locale.ROOT);
  }

  private static Mono<Void> send(
      HttpServerResponse response, int status, String errorCode, String body) {
    response.status(status).header("Content-Type", "application/json");
    if (errorCode != null) {
      response.header("X-Error-Code", errorCode);
    }
    return response.sendString(Mono.just(body)).then();
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String key(String repo, String revision) {
    return repo + "@" + revision;
  }
}
