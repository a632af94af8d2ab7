package io.zeroscale.gateway.model.hub;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a model's metadata from a Hugging Face hub (or anything that answers like one) to learn its
 * architecture and the size of its weights. Every outcome, failures included, is a {@link
 * HubLookup} value: the returned {@code Mono} never errors.
 *
 * <p>Requests, with the real hub's shapes:
 *
 * <ol>
 *   <li>{@code GET {base}/api/models/{owner}/{name}/revision/{revision}?blobs=true}: commit sha,
 *       {@code config}, {@code safetensors} parameter counts, {@code siblings} with sizes.
 *   <li>When the repo lists {@code model.safetensors.index.json}: {@code GET
 *       {base}/{owner}/{name}/resolve/{revision}/model.safetensors.index.json}. A gated repo
 *       without an index gets {@code config.json} fetched instead: the hub shows a gated repo's
 *       metadata to anyone and refuses only its files, so a file is what tells whether the token
 *       has access.
 * </ol>
 *
 * <p>Weight bytes, first that applies:
 *
 * <ol type="a">
 *   <li>the index's {@code metadata.total_size}: the tensor bytes themselves, e.g. 13_476_839_424
 *       for Llama-2-7b-hf;
 *   <li>the sum of the {@code *.safetensors} file sizes, when the hub gave all of them:
 *       9_976_576_152 + 3_500_296_424 = 13_476_872_576 for the same model, 33_152 bytes more than
 *       (a) because each file starts with a JSON header. Only root files named like transformers'
 *       ({@code model*.safetensors}) count when there are some, else all root files, else all
 *       files: Mistral repos ship the same weights twice (sharded and {@code
 *       consolidated.safetensors}), and counting both would double the size;
 *   <li>Σ parameters × dtype width over {@code safetensors.parameters}: {@code {"F16":
 *       6_738_415_616}} gives 6_738_415_616 × 2 = 13_476_831_232;
 *   <li>otherwise {@link HubLookup.NoWeights}.
 * </ol>
 *
 * <p>Failures: 404 is {@link HubLookup.NotFound}; 401/403 is {@link HubLookup.Denied}; anything
 * else (refused connection, DNS, 5xx, 429, a body that is not JSON, no answer within the timeout, a
 * redirect that is not followed) is {@link HubLookup.Unreachable}. The whole lookup, both requests,
 * their redirects and the name lookups of redirect targets, shares one timeout (the app uses {@link
 * #DEFAULT_TIMEOUT}).
 *
 * <p>Redirects are followed here, not by Reactor Netty, so that each one is checked ({@link
 * RedirectPolicy}): at most 5, only to the hub itself or over https to huggingface.co, hf.co and
 * their subdomains, and (the hub's own host aside) only to a host whose addresses are all public.
 * The addresses are checked before the request; Reactor Netty resolves the name again to connect,
 * so a DNS answer that changes in between (rebinding) is not caught: the allowed names are the
 * hub's own domains, whose DNS an attacker does not control.
 *
 * <p>What tenants read in a reason is in product words ("could not reach the hub at
 * https://huggingface.co: connection refused", {@link HubErrors}), with the hub's URL shown without
 * user information; the library's exception text goes to the log at INFO.
 *
 * <p>The HF token is sent as {@code Authorization: Bearer}, only to the configured hub (never on a
 * redirect to another host, e.g. the CDN, whose signed URL needs none), and is never logged: logs
 * carry the repo, the revision and the outcome.
 */
public final class HubClient {

  /** SPEC §3: a short lookup, so that an import answers quickly even when the hub does not. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  static final String INDEX_FILE = "model.safetensors.index.json";
  static final String CONFIG_FILE = "config.json";

  private static final int MAX_BODY_BYTES = LookupWebClient.MAX_BODY_BYTES;

  /** Printable ASCII without space: what HF tokens are, and what a header value can carry. */
  private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7E]+");

  private static final Logger log = LoggerFactory.getLogger(HubClient.class);

  /** The statuses that redirect a GET; 300 and 304 are answers, not redirects. */
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  private final WebClient web;
  private final URI baseUrl;

  /** {@link #baseUrl} as tenants see it: without user information, query or fragment. */
  private final String shownUrl;

  private final Duration timeout;
  private final RedirectPolicy redirects;
  private final HostResolver resolver;
  private final JsonMapper json = JsonMapper.builder().build();

  /** With the JVM's resolver for redirect targets. */
  public HubClient(WebClient.Builder builder, URI baseUrl, Duration timeout) {
    this(builder, baseUrl, timeout, HostResolver.system());
  }

  /**
   * @param builder cloned, not changed; its connector is replaced by one that does not follow
   *     redirects (this class does, checking each) and its buffer limit raised to fit large indexes
   * @param baseUrl e.g. {@code https://huggingface.co} ({@code zeroscale.hub.url})
   * @param timeout for the whole lookup, positive
   * @param resolver resolves the hosts of redirect targets, to check their addresses
   */
  public HubClient(
      WebClient.Builder builder, URI baseUrl, Duration timeout, HostResolver resolver) {
    Objects.requireNonNull(builder, "builder");
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(resolver, "resolver");
    String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || baseUrl.getHost() == null) {
      throw new IllegalArgumentException(
          "zeroscale.hub.url must be an absolute http(s) URL, got " + baseUrl);
    }
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException(
          "zeroscale.hub.timeout must be a positive duration, got " + timeout);
    }
    this.baseUrl = baseUrl;
    this.shownUrl = shown(baseUrl);
    this.timeout = timeout;
    this.redirects = new RedirectPolicy(baseUrl);
    this.resolver = resolver;
    this.web = LookupWebClient.of(builder);
  }

  /**
   * Looks the model up; never errors, never takes longer than the timeout (plus scheduling).
   *
   * @param hfToken sent as a bearer token when not null or blank
   */
  public Mono<HubLookup> lookup(HfSource source, String hfToken) {
    Objects.requireNonNull(source, "source");
    String token = hfToken == null || hfToken.isBlank() ? null : hfToken.strip();
    Mono<HubLookup> lookup;
    if (token != null && !TOKEN.matcher(token).matches()) {
      lookup =
          Mono.just(
              new HubLookup.Denied(
                  "the hf_token contains spaces or characters that no Hugging Face token has;"
                      + " supply an hf_token with access to "
                      + source.repo()));
    } else {
      lookup =
          Mono.defer(() -> get(infoUri(source), token))
              .flatMap(info -> afterInfo(source, token, info))
              .timeout(
                  timeout,
                  Mono.fromSupplier(
                      () ->
                          new HubLookup.Unreachable(
                              "the hub at "
                                  + shownUrl
                                  + " did not answer within "
                                  + timeout.toMillis()
                                  + " ms")))
              .onErrorResume(e -> Mono.just(unreachable(source, token, e)));
    }
    return lookup.doOnNext(
        outcome ->
            log.info(
                "Hub lookup of {}: {}: {}",
                source.uri(),
                outcome.getClass().getSimpleName(),
                outcome.reason()));
  }

  private Mono<HubLookup> afterInfo(HfSource source, String token, Answer info) {
    if (!info.ok()) {
      return Mono.just(refused(source, token, info, false));
    }
    RepoInfo repo;
    try {
      repo = RepoInfo.parse(json.readTree(info.body()));
    } catch (JacksonException | IllegalArgumentException e) {
      return Mono.just(
          new HubLookup.Unreachable(
              "the hub's answer for " + source.uri() + " is not the model metadata expected"));
    }
    String probe =
        repo.lists(INDEX_FILE)
            ? INDEX_FILE
            : repo.gated() && repo.lists(CONFIG_FILE) ? CONFIG_FILE : null;
    if (probe == null) {
      return Mono.just(repo.weights(source, OptionalLong.empty()));
    }
    return get(fileUri(source, probe), token)
        .map(
            file -> {
              if (file.status() == 401 || file.status() == 403) {
                return refused(source, token, file, repo.gated());
              }
              OptionalLong indexTotal =
                  probe.equals(INDEX_FILE) && file.ok()
                      ? indexTotalSize(file.body())
                      : OptionalLong.empty();
              return repo.weights(source, indexTotal);
            })
        // The index only refines what the metadata already says: without it, fall back to (b), (c).
        .onErrorResume(
            e -> {
              log.info(
                  "Hub lookup of {}: {} not read, sizing from the metadata: {}",
                  source.uri(),
                  probe,
                  e instanceof NotFollowed n ? n.getMessage() : HubErrors.forLog(e, token));
              return Mono.fromSupplier(() -> repo.weights(source, OptionalLong.empty()));
            });
  }

  /** A non-2xx answer, as an outcome. {@code gated} is what the metadata said of the repo. */
  private HubLookup refused(HfSource source, String token, Answer answer, boolean gated) {
    int status = answer.status();
    String what = source.repo();
    if (status == 404) {
      if ("RevisionNotFound".equals(answer.errorCode())) {
        return new HubLookup.NotFound(
            "revision '" + source.revision() + "' does not exist in " + what + " on the hub");
      }
      return new HubLookup.NotFound(
          "the hub has no model repo " + what + " at revision '" + source.revision() + "'");
    }
    if (status == 401 || status == 403) {
      String page = pageUrl(source);
      if (gated || "GatedRepo".equals(answer.errorCode())) {
        return new HubLookup.Denied(
            token == null
                ? what
                    + " is gated: accept its conditions at "
                    + page
                    + " and supply an hf_token of an account that has been granted access"
                : "the hf_token given has not been granted access to gated repo "
                    + what
                    + ": accept its conditions at "
                    + page
                    + " with the token's account, or supply another hf_token");
      }
      return new HubLookup.Denied(
          token == null
              ? "the hub requires authentication for "
                  + what
                  + " (HTTP "
                  + status
                  + "): it is private or gated, or does not exist; supply an hf_token with access"
                  + " to it"
              : "the hub refused the hf_token given for "
                  + what
                  + " (HTTP "
                  + status
                  + "): the token is invalid or has no access to the repo; supply an hf_token"
                  + " with access to it");
    }
    return new HubLookup.Unreachable(
        "the hub at " + shownUrl + " answered HTTP " + status + " for " + source.uri());
  }

  /** A failed request as an outcome: product words for the tenant, the details for the log. */
  private HubLookup unreachable(HfSource source, String token, Throwable error) {
    if (error instanceof NotFollowed n) {
      return new HubLookup.Unreachable("the hub at " + shownUrl + " " + n.getMessage());
    }
    log.info("Hub lookup of {} failed: {}", source.uri(), HubErrors.forLog(error, token));
    String what = HubErrors.describe(error);
    if (what.equals(HubErrors.TOO_LARGE)) {
      return new HubLookup.Unreachable(
          "the hub at " + shownUrl + " sent an answer larger than " + MAX_BODY_BYTES + " bytes");
    }
    return new HubLookup.Unreachable("could not reach the hub at " + shownUrl + ": " + what);
  }

  /**
   * A redirect this client does not follow, with the reason in product words. An error signal
   * inside a lookup only, turned into {@link HubLookup.Unreachable} before it leaves this class.
   */
  private static final class NotFollowed extends RuntimeException {
    NotFollowed(String message) {
      super(message, null, false, false);
    }
  }

  private OptionalLong indexTotalSize(String body) {
    try {
      JsonNode total = json.readTree(body).path("metadata").path("total_size");
      if (total.isNumber() && total.canConvertToLong() && total.asLong() > 0) {
        return OptionalLong.of(total.asLong());
      }
    } catch (JacksonException ignored) {
      // A broken index is no worse than none: (b) and (c) still apply.
    }
    return OptionalLong.empty();
  }

  private Mono<Answer> get(URI uri, String token) {
    return get(uri, token, true, 0);
  }

  /** One request; a redirect is checked and followed, {@code hops} counting those followed. */
  private Mono<Answer> get(URI uri, String token, boolean toHub, int hops) {
    return web.get()
        .uri(uri)
        .accept(MediaType.APPLICATION_JSON)
        .headers(
            headers -> {
              if (token != null && toHub) {
                headers.setBearerAuth(token);
              }
            })
        .exchangeToMono(
            response -> {
              int status = response.statusCode().value();
              List<String> codes = response.headers().header("X-Error-Code");
              String code = codes.isEmpty() ? null : codes.getFirst();
              if (response.statusCode().is2xxSuccessful()) {
                return response
                    .bodyToMono(String.class)
                    .defaultIfEmpty("")
                    .map(body -> new Answer(status, code, body, null));
              }
              String location =
                  REDIRECTS.contains(status)
                      ? response.headers().asHttpHeaders().getFirst(HttpHeaders.LOCATION)
                      : null;
              return response.releaseBody().thenReturn(new Answer(status, code, "", location));
            })
        .flatMap(
            answer ->
                answer.location() == null
                    ? Mono.just(answer)
                    : follow(uri, answer.location(), token, hops));
  }

  private Mono<Answer> follow(URI from, String location, String token, int hops) {
    if (hops >= RedirectPolicy.MAX_HOPS) {
      return Mono.error(
          new NotFollowed("sent more than " + RedirectPolicy.MAX_HOPS + " redirects in a row"));
    }
    return switch (redirects.check(from, location)) {
      case RedirectPolicy.Decision.Refuse r -> Mono.error(notFollowed(r.reason()));
      case RedirectPolicy.Decision.Follow f -> {
        Mono<Answer> next = Mono.defer(() -> get(f.target(), token, f.toHub(), hops + 1));
        if (!redirects.needsAddressCheck(f.target())) {
          yield next;
        }
        String host = f.target().getHost();
        yield resolver
            .resolve(host)
            .flatMap(
                addresses ->
                    RedirectPolicy.addressProblem(host, addresses)
                        .<Mono<Answer>>map(p -> Mono.error(notFollowed(p)))
                        .orElse(next));
      }
    };
  }

  private static NotFollowed notFollowed(String reason) {
    return new NotFollowed("redirected to a location that is not followed: " + reason);
  }

  /** Path segments are encoded one by one: a revision {@code refs/pr/1} goes as refs%2Fpr%2F1. */
  private URI infoUri(HfSource source) {
    return UriComponentsBuilder.fromUri(baseUrl)
        .pathSegment("api", "models", owner(source), name(source), "revision", source.revision())
        .queryParam("blobs", "true")
        .build()
        .encode()
        .toUri();
  }

  private URI fileUri(HfSource source, String file) {
    return UriComponentsBuilder.fromUri(baseUrl)
        .pathSegment(owner(source), name(source), "resolve", source.revision(), file)
        .build()
        .encode()
        .toUri();
  }

  private String pageUrl(HfSource source) {
    return UriComponentsBuilder.fromUriString(shownUrl)
        .pathSegment(owner(source), name(source))
        .build()
        .encode()
        .toUriString();
  }

  private static String owner(HfSource source) {
    return source.repo().substring(0, source.repo().indexOf('/'));
  }

  private static String name(HfSource source) {
    return source.repo().substring(source.repo().indexOf('/') + 1);
  }

  /** The hub's URL without what must not be shown: user information, query, fragment. */
  private static String shown(URI url) {
    try {
      return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null)
          .toString();
    } catch (URISyntaxException e) {
      return url.getScheme() + "://" + url.getHost();
    }
  }

  /**
   * @param location the {@code Location} of a redirect, else null
   */
  private record Answer(int status, String errorCode, String body, String location) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }
}
