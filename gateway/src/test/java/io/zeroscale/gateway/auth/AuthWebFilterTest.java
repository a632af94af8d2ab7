package io.zeroscale.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.testing.MutableClock;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.adapter.DefaultServerWebExchange;
import org.springframework.web.server.i18n.AcceptHeaderLocaleContextResolver;
import org.springframework.web.server.session.DefaultWebSessionManager;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The filter end to end on hand-made exchanges: which paths pass, with what, and what is said. */
class AuthWebFilterTest {

  private static final String CLIENT = "192.0.2.7";
  private static final String ADMIN_KEY = "filter-test-admin-" + "a".repeat(20);

  private final MutableClock clock = MutableClock.at("2026-11-01T00:00:00Z");
  private final KeyAuthenticatorTest.FakeStore store = new KeyAuthenticatorTest.FakeStore();
  private final AuthWebFilter filter =
      new AuthWebFilter(
          new KeyAuthenticator(store, ADMIN_KEY, clock, AuthProperties.defaults()), -100);
  private final ApiKeys keys = new ApiKeys(new SecureRandom());

  /** The principal the next filter saw, or null when the request did not get through. */
  private final AtomicReference<Principal> passed = new AtomicReference<>();

  private final AtomicReference<Boolean> reached = new AtomicReference<>(false);

  private String keyWith(UUID tenant, String... scopes) {
    String secret = keys.newSecret();
    store.keys.put(
        ApiKeys.hash(secret),
        new StoredKey(
            UUID.randomUUID(),
            ApiKeys.hash(secret),
            tenant,
            tenant == null ? null : "acme",
            Set.of(scopes),
            null,
            null,
            null));
    return secret;
  }

  private void run(String rawPath, String key) {
    run(rawPath, key, CLIENT);
  }

  private void run(String rawPath, String key, String client) {
    reached.set(false);
    passed.set(null);
    filter
        .filter(
            exchange(rawPath, key, client),
            ex -> {
              reached.set(true);
              passed.set(ex.getAttribute(Principal.ATTRIBUTE));
              return Mono.empty();
            })
        .block(Duration.ofSeconds(5));
  }

  /** The refusal a request gets: status, code and Retry-After (-1 for none). */
  private String refusal(String rawPath, String key) {
    return refusal(rawPath, key, CLIENT);
  }

  private String refusal(String rawPath, String key, String client) {
    try {
      run(rawPath, key, client);
      return "passed";
    } catch (ZeroscaleException e) {
      assertThat(reached.get()).as("refused requests never reach the next filter").isFalse();
      return e.error().status() + " " + e.error().code() + " " + e.retryAfterSeconds();
    }
  }

  /** Finding 4: spellings of protected paths that routing matches like the plain ones. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/admin;x/v1/tenants",
        "/%61dmin/v1/tenants",
        "/api;a/v1/deployments",
        "/v1;x/models",
        "//admin/v1/tenants",
        "/admin/v1/tenants/",
        "/custom-model;x/v1/chat/completions",
        "/v1/models/demo%2Fchat",
        "/actuator/prometheus",
        "/actuator;x/prometheus",
        "/%61ctuator/prometheus",
        "/actuator",
        "/actuator/info",
        "/actuator%2Fhealth",
        "/actuator/healthz",
        "/actuator/health/db",
        "/actuator/health/liveness",
        "/Actuator/health",
        "/",
        "/favicon.ico",
        "/no/such/path",
        "/V1/models"
      })
  void everyPathButHealthNeedsAKey(String path) {
    assertThat(refusal(path, null)).isEqualTo("401 missing_api_key -1");
    assertThat(refusal(path, keys.newSecret())).isEqualTo("401 invalid_api_key -1");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/actuator/health",
        "/actuator/health/",
        "/actuator;v=1/health",
        "/%61ctuator/health",
        "//actuator//health"
      })
  void healthIsPublic(String path) {
    run(path, null);
    assertThat(reached.get()).isTrue();
    assertThat(passed.get()).as("no principal on a public path").isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v1/%ff/models",
        "/v1/../admin/v1/tenants",
        "/actuator/health/../prometheus",
        "/actuator/health/%2e%2e/prometheus",
        "/actuator/health/..;x/prometheus",
        "/v1/./models",
        "/v1/%00"
      })
  void aPathThatCannotBeNormalizedIsA400EvenWithAKey(String path) {
    assertThat(refusal(path, null)).isEqualTo("400 invalid_path -1");
    assertThat(refusal(path, ADMIN_KEY)).isEqualTo("400 invalid_path -1");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/v1/models|inference:*",
        "/v1/models/demo/chat|inference:*",
        "/custom-model/v1/models/demo/chat|inference:*",
        "/v1/chat/completions|inference:*",
        "/api/v1/deployments|deployments:read",
        "/no/such/path|inference:*"
      })
  void aValidKeyGoesOnWithItsPrincipal(String path, String scope) {
    UUID tenant = UUID.randomUUID();
    run(path, keyWith(tenant, scope));
    assertThat(passed.get()).isNotNull();
    assertThat(passed.get().tenantId()).isEqualTo(tenant);
  }

  /** Finding 5: the metrics page shows every tenant's traffic. */
  @Test
  void managementEndpointsNeedTheMetricsOrAdminScope() {
    String tenantKey = keyWith(UUID.randomUUID(), "inference:*", "deployments:write", "usage:read");
    assertThat(refusal("/actuator/prometheus", tenantKey)).isEqualTo("403 insufficient_scope -1");
    assertThat(refusal("/actuator;x/prometheus", tenantKey)).isEqualTo("403 insufficient_scope -1");
    assertThat(refusal("/actuator/prometheus", keyWith(null, "finance")))
        .isEqualTo("403 insufficient_scope -1");
    assertThat(refusal("/actuator/prometheus", keyWith(null, "metrics"))).isEqualTo("passed");
    assertThat(refusal("/actuator/info", keyWith(null, "metrics"))).isEqualTo("passed");
    assertThat(refusal("/actuator/prometheus", ADMIN_KEY)).isEqualTo("passed");
  }

  @Test
  void anAddressThatKeepsFailingGets429WithRetryAfter() {
    for (int i = 0; i < 20; i++) {
      assertThat(refusal("/v1/models", keys.newSecret())).isEqualTo("401 invalid_api_key -1");
    }
    assertThat(refusal("/v1/models", keys.newSecret())).isEqualTo("429 rate_limit_exceeded 1");
    assertThat(refusal("/v1/models", keys.newSecret(), "198.51.100.1"))
        .as("another address")
        .isEqualTo("401 invalid_api_key -1");
    run("/actuator/health", null);
    assertThat(reached.get()).as("public paths are never throttled").isTrue();
    clock.advanceMillis(500);
    assertThat(refusal("/v1/models", keys.newSecret())).isEqualTo("401 invalid_api_key -1");
  }

  @Test
  void storeOutageIs503() {
    store.down = true;
    assertThat(refusal("/v1/models", keys.newSecret())).isEqualTo("503 null -1");
  }

  @Test
  void aHandlerWithoutAPrincipalAnswers401Not500() {
    ServerWebExchange exchange = exchange("/v1/models", null, CLIENT);
    assertThatThrownBy(() -> Principal.of(exchange))
        .isInstanceOfSatisfying(
            ZeroscaleException.class,
            e -> {
              assertThat(e.error().status()).isEqualTo(401);
              assertThat(e.error().code()).isEqualTo("missing_api_key");
            });
  }

  @ParameterizedTest
  @CsvSource(
      value = {
        "Bearer zs-abc|zs-abc",
        "bearer zs-abc|zs-abc",
        "BEARER  zs-abc |zs-abc",
        "Basic dXNlcjpwYXNz|",
        "Bearer |",
        "zs-abc|"
      },
      delimiter = '|')
  void extractsBearerTokens(String header, String expected) {
    assertThat(AuthWebFilter.bearer(header)).isEqualTo(expected);
  }

  @Test
  void failuresAreCountedPerIpv4AddressAndPerIpv6Slash64() {
    assertThat(AuthWebFilter.client(new InetSocketAddress("192.0.2.7", 40000)))
        .isEqualTo("192.0.2.7");
    assertThat(AuthWebFilter.client(new InetSocketAddress("2001:db8:1:2:3:4:5:6", 40000)))
        .isEqualTo("20010db800010002::/64")
        .isEqualTo(AuthWebFilter.client(new InetSocketAddress("2001:db8:1:2:ffff::1", 1)));
    assertThat(AuthWebFilter.client(new InetSocketAddress("::ffff:192.0.2.7", 1)))
        .as("an IPv4-mapped address is its IPv4 address")
        .isEqualTo("192.0.2.7");
    assertThat(AuthWebFilter.client(null)).isEqualTo("unknown");
  }

  private static ServerWebExchange exchange(String rawPath, String key, String client) {
    HttpHeaders headers = new HttpHeaders();
    if (key != null) {
      headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + key);
    }
    return new DefaultServerWebExchange(
        new Request(URI.create("http://gateway.test" + rawPath), headers, client),
        new Response(),
        new DefaultWebSessionManager(),
        ServerCodecConfigurer.create(),
        new AcceptHeaderLocaleContextResolver());
  }

  private static final class Request extends AbstractServerHttpRequest {
    private final InetSocketAddress remote;

    Request(URI uri, HttpHeaders headers, String client) {
      super(HttpMethod.GET, uri, null, headers);
      this.remote = new InetSocketAddress(client, 40000);
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
      return remote;
    }

    @Override
    protected MultiValueMap<String, HttpCookie> initCookies() {
      return new LinkedMultiValueMap<>();
    }

    @Override
    protected SslInfo initSslInfo() {
      return null;
    }

    @Override
    public <T> T getNativeRequest() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Flux<DataBuffer> getBody() {
      return Flux.empty();
    }
  }

  private static final class Response extends AbstractServerHttpResponse {
    Response() {
      super(DefaultDataBufferFactory.sharedInstance);
    }

    @Override
    public <T> T getNativeResponse() {
      throw new UnsupportedOperationException();
    }

    @Override
    protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
      return Mono.empty();
    }

    @Override
    protected Mono<Void> writeAndFlushWithInternal(
        Publisher<? extends Publisher<? extends DataBuffer>> body) {
      return Mono.empty();
    }

    @Override
    protected void applyStatusCode() {}

    @Override
    protected void applyHeaders() {}

    @Override
    protected void applyCookies() {}
  }
}
