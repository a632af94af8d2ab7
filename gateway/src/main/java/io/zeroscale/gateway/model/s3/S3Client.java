package io.zeroscale.gateway.model.s3;

import io.zeroscale.api.redis.S3Access;
import io.zeroscale.gateway.model.hub.HfSource;
import io.zeroscale.gateway.model.hub.HostResolver;
import io.zeroscale.gateway.model.hub.HubErrors;
import io.zeroscale.gateway.model.hub.HubLookup;
import io.zeroscale.gateway.model.hub.LookupWebClient;
import io.zeroscale.gateway.model.hub.RedirectPolicy;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a model's metadata from S3 or an S3-compatible store, with SigV4-signed GETs ({@link
 * SigV4}) on Reactor Netty: the answer is a {@link HubLookup}, like the hub's, so that status, size
 * and fit are decided in the same places. The returned {@code Mono} never errors.
 *
 * <p>Requests (path-style, {@code {endpoint}/{bucket}/{key}}, on AWS {@code
 * https://s3.{region}.amazonaws.com/{bucket}/{key}}):
 *
 * <ol>
 *   <li>{@code GET <prefix>/config.json}: {@code architectures[0]}, {@code model_type};
 *   <li>{@code GET <prefix>/model.safetensors.index.json}: {@code metadata.total_size} (the
 *       weights' bytes) and, when present, {@code metadata.total_parameters};
 *   <li>without an index: {@code ListObjectsV2} of {@code <prefix>/} (at most {@value #MAX_PAGES}
 *       pages of {@value #PAGE_KEYS} keys), summing the sizes of the {@code *.safetensors} objects
 *       directly under the prefix (those vLLM loads).
 * </ol>
 *
 * <p>Outcomes: 404 on {@code config.json} (no such key or bucket) is {@link HubLookup.NotFound};
 * 401/403 anywhere is {@link HubLookup.Denied}; no {@code *.safetensors} is {@link
 * HubLookup.NoWeights}; a tenant's endpoint whose host does not resolve (an error, or no answer
 * within the timeout) is {@link HubLookup.NotFound}, and one that resolves to a non-public address
 * not allowed is {@link HubLookup.Denied}: the import fails, since an unverified model would still
 * be deployed and its instances would connect there. Only after the address check passed is
 * anything else (refused connection, timeout, 5xx, a redirect, a body that does not parse, a
 * listing past its bounds) {@link HubLookup.Unreachable}, so the model is {@code unverified} as
 * when the hub cannot be reached. The whole lookup shares one timeout, the hub's ({@code
 * zeroscale.hub.timeout}); every body is bounded ({@value #MAX_BODY_BYTES} bytes).
 *
 * <p>Server-side request forgery: a tenant chooses the endpoint, so, as for the hub's redirect
 * targets ({@link RedirectPolicy}), its host must resolve only to public addresses, unless the
 * operator lists it in {@code zeroscale.s3.private-hosts} (an in-cluster MinIO, a test's stand-in).
 * Redirects are never followed. Over {@code http} the request goes to the very address that was
 * checked (the {@code Host} header carries the name), so a DNS answer that changes in between
 * (rebinding) cannot redirect it; over {@code https} it goes by name, and TLS authenticates the
 * name: an internal service cannot present a certificate for the tenant's host. Still, a name that
 * resolves anew to an internal address could make refused connections, TLS errors and timeouts tell
 * a tenant which internal ports are open: for a tenant's endpoint, every connection-level failure
 * (and the timeout) has one reason, {@code cannot reach the endpoint <endpoint>}; the cause is only
 * in the log.
 *
 * <p>The credentials are used only to sign, never put in a reason, and redacted from the log.
 */
public final class S3Client {

  static final String CONFIG_FILE = "config.json";
  static final String INDEX_FILE = "model.safetensors.index.json";

  /** An index of a model with tens of thousands of tensors is a few MiB; a config is kilobytes. */
  static final int MAX_BODY_BYTES = LookupWebClient.MAX_BODY_BYTES;

  /** Keys per ListObjectsV2 page (the API's maximum). */
  static final int PAGE_KEYS = 1000;

  /** Pages read at most: 10 000 keys under a model's prefix is far more than any model has. */
  static final int MAX_PAGES = 10;

  private static final Set<Integer> DENIED = Set.of(401, 403);
  private static final Logger log = LoggerFactory.getLogger(S3Client.class);

  private final WebClient web;
  private final Duration timeout;
  private final HostResolver resolver;
  private final Set<String> privateHosts;
  private final String defaultRegion;
  private final Clock clock;
  private final JsonMapper json = JsonMapper.builder().build();

  /**
   * @param builder cloned, not changed: its connector is replaced by one that does not follow
   *     redirects, and its buffer limit set to {@link #MAX_BODY_BYTES}
   * @param timeout for the whole lookup
   * @param resolver resolves an endpoint's host to check its addresses
   * @param privateHosts host names (lower case) that may resolve to non-public addresses
   * @param defaultRegion the region signed for when the tenant gives none, e.g. {@code us-east-1}
   */
  public S3Client(
      WebClient.Builder builder,
      Duration timeout,
      HostResolver resolver,
      Set<String> privateHosts,
      String defaultRegion,
      Clock clock) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.privateHosts = Set.copyOf(privateHosts);
    this.defaultRegion = Objects.requireNonNull(defaultRegion, "defaultRegion");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.web = LookupWebClient.of(builder);
  }

  /** Looks the model up; never errors, never takes much longer than the timeout. */
  public Mono<HubLookup> lookup(S3Source source, S3Access access) {
    Objects.requireNonNull(source, "source");
    S3Access a = access == null ? S3Access.ANONYMOUS : access;
    // Whether the endpoint's addresses passed the check (AWS's own endpoint needs none): until
    // then, a failure or the timeout is the endpoint's fault, and the import fails.
    AtomicBoolean checked = new AtomicBoolean(a.endpoint() == null);
    return Mono.defer(() -> target(source, a, checked))
        .flatMap(t -> lookup(source, a, t))
        .timeout(
            timeout,
            Mono.fromSupplier(
                () -> {
                  if (!checked.get()) {
                    return unresolved(a, "did not resolve within " + timeout.toMillis() + " ms");
                  }
                  if (a.endpoint() != null) {
                    log.info(
                        "S3 lookup of {}: {} did not answer within {} ms",
                        source.uri(),
                        a.endpoint(),
                        timeout.toMillis());
                    return new HubLookup.Unreachable(cannotReach(a));
                  }
                  return new HubLookup.Unreachable(
                      "the S3 store at "
                          + shown(a)
                          + " did not answer within "
                          + timeout.toMillis()
                          + " ms");
                }))
        .onErrorResume(
            e -> {
              if (e instanceof Refused r) {
                return Mono.just(r.outcome);
              }
              log.info("S3 lookup of {} failed: {}", source.uri(), forLog(e, a));
              if (!checked.get()) {
                return Mono.just(unresolved(a, "does not resolve"));
              }
              if (a.endpoint() != null && !HubErrors.TOO_LARGE.equals(HubErrors.describe(e))) {
                // One text for every connection-level failure of a tenant's endpoint: refused,
                // TLS error, reset or timed out would tell a tenant which internal ports are open.
                // (An answer too large came from the endpoint itself, past the TLS check.)
                return Mono.just(new HubLookup.Unreachable(cannotReach(a)));
              }
              return Mono.just(
                  new HubLookup.Unreachable(
                      "could not reach the S3 store at "
                          + shown(a)
                          + ": "
                          + HubErrors.describe(e)));
            })
        .doOnNext(
            o ->
                log.info(
                    "S3 lookup of {}: {}: {}",
                    source.uri(),
                    o.getClass().getSimpleName(),
                    o.reason()));
  }

  /**
   * The tenant-visible reason of any connection-level failure of a tenant's endpoint, whatever its
   * cause (which only the log has).
   */
  static String cannotReach(S3Access a) {
    return "cannot reach the endpoint " + a.endpoint();
  }

  /** A tenant's endpoint whose host did not resolve: the import fails, nothing was requested. */
  private static HubLookup unresolved(S3Access a, String what) {
    URI base = URI.create(a.endpoint());
    return new HubLookup.NotFound(
        "the endpoint's host '"
            + HfSource.echo(base.getHost())
            + "' "
            + what
            + "; give an endpoint whose host resolves to a public address");
  }

  /**
   * A failure for the log ({@link HubErrors#forLog}), with every part of the credentials redacted:
   * the secret key, the session token and the access key id.
   */
  static String forLog(Throwable e, S3Access a) {
    return HubErrors.forLog(e, a.secretAccessKey(), a.sessionToken(), a.accessKeyId());
  }

  private Mono<HubLookup> lookup(S3Source source, S3Access a, Target t) {
    return get(t, a, "/" + source.bucket() + "/" + source.key(CONFIG_FILE), Map.of())
        .flatMap(
            config -> {
              if (config.status() == 404) {
                return Mono.just(notFound(source, config));
              }
              refuseUnlessOk(source, a, config, CONFIG_FILE);
              JsonNode c = parse(config.body(), source, CONFIG_FILE);
              String architecture =
                  c.path("architectures").path(0).isString()
                      ? c.path("architectures").path(0).asString()
                      : null;
              String modelType =
                  c.path("model_type").isString() ? c.path("model_type").asString() : null;
              return get(t, a, "/" + source.bucket() + "/" + source.key(INDEX_FILE), Map.of())
                  .flatMap(
                      index -> {
                        if (index.status() != 404) {
                          refuseUnlessOk(source, a, index, INDEX_FILE);
                          JsonNode meta = parse(index.body(), source, INDEX_FILE).path("metadata");
                          OptionalLong total = positive(meta.path("total_size"));
                          if (total.isPresent()) {
                            OptionalLong params = positive(meta.path("total_parameters"));
                            return Mono.just(
                                found(source, architecture, modelType, total.getAsLong(), params));
                          }
                        }
                        return listWeights(source, a, t, null, 0, 0L)
                            .map(
                                bytes ->
                                    bytes > 0
                                        ? found(
                                            source,
                                            architecture,
                                            modelType,
                                            bytes,
                                            OptionalLong.empty())
                                        : new HubLookup.NoWeights(
                                            "no *.safetensors objects directly under "
                                                + source.uri()
                                                + " (only safetensors weights can be sized and"
                                                + " loaded)"));
                      });
            });
  }

  private static HubLookup found(
      S3Source source, String architecture, String modelType, long bytes, OptionalLong params) {
    return new HubLookup.Found(
        source.uri(),
        "",
        null,
        architecture,
        modelType,
        bytes,
        params.isPresent() ? params.getAsLong() : null);
  }

  /** Σ sizes of {@code *.safetensors} keys directly under the prefix, page after page. */
  private Mono<Long> listWeights(
      S3Source source, S3Access a, Target t, String token, int page, long sum) {
    if (page >= MAX_PAGES) {
      return Mono.error(
          new Refused(
              new HubLookup.Unreachable(
                  "more than "
                      + MAX_PAGES * PAGE_KEYS
                      + " objects under "
                      + source.uri()
                      + "; give a model.safetensors.index.json to size it")));
    }
    Map<String, String> query = new LinkedHashMap<>();
    query.put("list-type", "2");
    query.put("prefix", source.prefix() + "/");
    query.put("max-keys", Integer.toString(PAGE_KEYS));
    if (token != null) {
      query.put("continuation-token", token);
    }
    return get(t, a, "/" + source.bucket(), query)
        .flatMap(
            answer -> {
              if (answer.status() == 404) {
                return Mono.error(new Refused(notFound(source, answer)));
              }
              refuseUnlessOk(source, a, answer, "the object listing");
              Listing l = Listing.parse(answer.body(), source.prefix() + "/");
              long total = sum + l.safetensorsBytes();
              if (total < 0) {
                return Mono.error(
                    new Refused(new HubLookup.Unreachable("the object sizes do not add up")));
              }
              if (l.nextToken() != null) {
                return listWeights(source, a, t, l.nextToken(), page + 1, total);
              }
              return Mono.just(total);
            });
  }

  private static OptionalLong positive(JsonNode n) {
    return n.isNumber() && n.canConvertToLong() && n.asLong() > 0
        ? OptionalLong.of(n.asLong())
        : OptionalLong.empty();
  }

  private JsonNode parse(String body, S3Source source, String file) {
    try {
      JsonNode n = json.readTree(body);
      if (n != null && n.isObject()) {
        return n;
      }
    } catch (JacksonException e) {
      // Reported below, without the parser's words.
    }
    throw new Refused(
        new HubLookup.Unreachable(source.uri() + "/" + file + " is not a JSON object"));
  }

  private HubLookup notFound(S3Source source, Answer answer) {
    if (answer.body().contains("<Code>NoSuchBucket</Code>")) {
      return new HubLookup.NotFound("the S3 store has no bucket '" + source.bucket() + "'");
    }
    return new HubLookup.NotFound(
        "no "
            + CONFIG_FILE
            + " under "
            + source.uri()
            + " (a model's prefix holds its config.json)");
  }

  /** A 2xx passes; 401/403 is {@link HubLookup.Denied}; anything else unreachable. */
  private void refuseUnlessOk(S3Source source, S3Access a, Answer answer, String what) {
    if (answer.status() >= 200 && answer.status() < 300) {
      return;
    }
    if (DENIED.contains(answer.status())) {
      throw new Refused(
          new HubLookup.Denied(
              a.signed()
                  ? "the S3 store refused the s3_credentials given for "
                      + source.uri()
                      + " (HTTP "
                      + answer.status()
                      + errorCode(answer)
                      + "): they are invalid or have no read access to it"
                  : "the S3 store refused anonymous access to "
                      + source.uri()
                      + " (HTTP "
                      + answer.status()
                      + errorCode(answer)
                      + "): give s3_credentials with read access to it"));
    }
    throw new Refused(
        new HubLookup.Unreachable(
            "the S3 store at "
                + shown(a)
                + " answered HTTP "
                + answer.status()
                + errorCode(answer)
                + " for "
                + what
                + (answer.status() >= 300 && answer.status() < 400
                    ? " (a redirect, not followed: give the bucket's regional endpoint or region)"
                    : "")));
  }

  /** {@code , AccessDenied} from an S3 error body's {@code <Code>}, when it has a short one. */
  private static String errorCode(Answer answer) {
    String b = answer.body();
    int start = b.indexOf("<Code>");
    int end = b.indexOf("</Code>");
    if (start < 0 || end < start) {
      return "";
    }
    String code = b.substring(start + "<Code>".length(), end);
    return code.matches("[A-Za-z]{1,64}") ? ", " + code : "";
  }

  /**
   * Where requests go.
   *
   * @param base the endpoint, whose path (if any) prefixes every request's
   * @param hostHeader {@code host[:port]} as signed and sent
   * @param connectRoot {@code scheme://host[:port]} connected to: the checked address over http
   */
  private record Target(URI base, String hostHeader, String connectRoot) {}

  private Mono<Target> target(S3Source source, S3Access a, AtomicBoolean checked) {
    String region = region(a);
    URI base =
        a.endpoint() != null
            ? URI.create(a.endpoint())
            : URI.create("https://s3." + region + ".amazonaws.com");
    String host = base.getHost();
    String hostHeader = base.getPort() < 0 ? host : host + ":" + base.getPort();
    if (a.endpoint() == null) {
      return Mono.just(new Target(base, hostHeader, "https://" + hostHeader));
    }
    boolean allowed = privateHosts.contains(host.toLowerCase(Locale.ROOT));
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return resolver
        .resolve(bare)
        .map(
            addresses -> {
              if (!allowed) {
                Optional<String> problem = RedirectPolicy.addressProblem(host, addresses);
                if (problem.isPresent()) {
                  throw new Refused(
                      new HubLookup.Denied(
                          "the endpoint's "
                              + problem.get()
                              + "; only public stores can be reached (an operator can allow a"
                              + " host with zeroscale.s3.private-hosts)"));
                }
              }
              checked.set(true);
              if (!"http".equals(base.getScheme())) {
                return new Target(base, hostHeader, base.getScheme() + "://" + hostHeader);
              }
              // Plain http: connect to the checked address itself (no second resolution).
              InetAddress first = addresses.getFirst();
              String literal =
                  first instanceof java.net.Inet6Address
                      ? "[" + first.getHostAddress() + "]"
                      : first.getHostAddress();
              String port = base.getPort() < 0 ? "" : ":" + base.getPort();
              return new Target(base, hostHeader, "http://" + literal + port);
            });
  }

  private String region(S3Access a) {
    return a.region() != null ? a.region() : defaultRegion;
  }

  /** One signed GET of {@code path} (not encoded) with {@code query} (not encoded). */
  private Mono<Answer> get(Target t, S3Access a, String path, Map<String, String> query) {
    String basePath = t.base().getRawPath() == null ? "" : t.base().getRawPath();
    String fullPath = basePath + path;
    String encodedPath = SigV4.encodePath(fullPath);
    String q = SigV4.canonicalQuery(query);
    URI uri = URI.create(t.connectRoot() + encodedPath + (q.isEmpty() ? "" : "?" + q));
    String amzDate = SigV4.amzDate(clock.instant());
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("host", t.hostHeader());
    headers.put("x-amz-date", amzDate);
    headers.put("x-amz-content-sha256", SigV4.EMPTY_SHA256);
    if (a.sessionToken() != null) {
      headers.put("x-amz-security-token", a.sessionToken());
    }
    String authorization =
        a.signed()
            ? SigV4.authorization(
                new SigV4.Request("GET", fullPath, query, headers, SigV4.EMPTY_SHA256),
                a.accessKeyId(),
                a.secretAccessKey(),
                region(a),
                "s3",
                amzDate)
            : null;
    return web.get()
        .uri(uri)
        .headers(
            h -> {
              headers.forEach(h::set);
              if (authorization != null) {
                h.set("Authorization", authorization);
              }
            })
        .exchangeToMono(
            response ->
                response
                    .bodyToMono(String.class)
                    .defaultIfEmpty("")
                    .map(body -> new Answer(response.statusCode().value(), body)));
  }

  /** The store as tenants see it in a reason. */
  private String shown(S3Access a) {
    return a.endpoint() != null ? a.endpoint() : "s3." + region(a) + ".amazonaws.com";
  }

  private record Answer(int status, String body) {}

  /** An outcome decided mid-lookup; turned into its value before it leaves this class. */
  private static final class Refused extends RuntimeException {
    private final transient HubLookup outcome;

    Refused(HubLookup outcome) {
      super(outcome.reason(), null, false, false);
      this.outcome = outcome;
    }
  }

  /**
   * One ListObjectsV2 page: Σ sizes of the {@code *.safetensors} keys directly under the prefix and
   * the continuation token, or null on the last page.
   */
  record Listing(long safetensorsBytes, String nextToken) {

    private static final XMLInputFactory XML = secureFactory();

    private static XMLInputFactory secureFactory() {
      XMLInputFactory f = XMLInputFactory.newFactory();
      // No DTDs, no external entities: a listing is plain elements.
      f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
      f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
      return f;
    }

    /**
     * Parses a page.
     *
     * @throws Refused (unreachable) when it is not a listing
     */
    static Listing parse(String xml, String prefix) {
      long sum = 0;
      String next = null;
      boolean truncated = false;
      String key = null;
      Long size = null;
      try {
        XMLStreamReader r = XML.createXMLStreamReader(new StringReader(xml));
        String element = null;
        StringBuilder text = new StringBuilder();
        boolean sawRoot = false;
        while (r.hasNext()) {
          int ev = r.next();
          if (ev == XMLStreamConstants.START_ELEMENT) {
            element = r.getLocalName();
            sawRoot |= element.equals("ListBucketResult");
            text.setLength(0);
            if (element.equals("Contents")) {
              key = null;
              size = null;
            }
          } else if (ev == XMLStreamConstants.CHARACTERS) {
            if (text.length() < 4096) {
              text.append(r.getText());
            }
          } else if (ev == XMLStreamConstants.END_ELEMENT) {
            String name = r.getLocalName();
            String value = text.toString().strip();
            switch (name) {
              case "Key" -> key = value;
              case "Size" -> size = Long.parseLong(value);
              case "NextContinuationToken" -> next = value;
              case "IsTruncated" -> truncated = value.equals("true");
              case "Contents" -> {
                if (key != null
                    && size != null
                    && size >= 0
                    && key.startsWith(prefix)
                    && key.indexOf('/', prefix.length()) < 0
                    && key.endsWith(".safetensors")) {
                  sum += size;
                  if (sum < 0) {
                    return new Listing(-1, null);
                  }
                }
              }
              default -> {}
            }
            text.setLength(0);
          }
        }
        if (!sawRoot) {
          throw new Refused(new HubLookup.Unreachable("the object listing is not a listing"));
        }
      } catch (XMLStreamException | NumberFormatException e) {
        throw new Refused(new HubLookup.Unreachable("the object listing does not parse"));
      }
      return new Listing(sum, truncated && next != null && !next.isEmpty() ? next : null);
    }
  }
}
