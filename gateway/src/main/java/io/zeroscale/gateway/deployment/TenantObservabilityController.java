package io.zeroscale.gateway.deployment;

import io.zeroscale.api.InstanceEndpoint;
import io.zeroscale.api.InstanceLogs;
import io.zeroscale.api.RedisSchema;
import io.zeroscale.api.json.InstanceJson;
import io.zeroscale.api.redis.LiveEntry;
import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.observe.DeploymentSeries;
import io.zeroscale.gateway.observe.LatencyBuckets;
import io.zeroscale.gateway.observe.LogRedaction;
import io.zeroscale.gateway.observe.MinuteSeries;
import io.zeroscale.gateway.web.ApiObjects;
import io.zeroscale.gateway.web.InputBounds;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.StringCodec;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a tenant can see of its own deployment's running (scope {@code deployments:read}): its time
 * series ({@code /metrics}), its instances ({@code /instances}) and an instance's last log lines
 * ({@code /instances/{iid}/logs}). Every answer starts with the deployment lookup by tenant, so
 * another tenant's deployment (or instance) is a 404 before any key is read.
 *
 * <p>Logs come from the instance runtime of this process ({@link InstanceLogs}, offered by the
 * activator's module): the standalone jar and a chart replica that runs gateway and activator
 * together have it; a gateway-only replica ({@code controller.separate}) answers 501.
 */
@RestController
@RequestMapping("/api/v1/deployments")
public class TenantObservabilityController {

  static final int DEFAULT_TAIL = 100;
  static final int MAX_TAIL = 1000;

  private final DeploymentService deployments;
  private final DeploymentLiveState live;
  private final DeploymentSeries series;
  private final RedissonReactiveClient redis;
  private final JsonMapper json;
  private final Optional<InstanceLogs> logs;
  private final Clock clock;

  public TenantObservabilityController(
      DeploymentService deployments,
      DeploymentLiveState live,
      DeploymentSeries series,
      RedissonReactiveClient redis,
      JsonMapper json,
      Optional<InstanceLogs> logs,
      Clock clock) {
    this.deployments = deployments;
    this.live = live;
    this.series = series;
    this.redis = redis;
    this.json = json;
    this.logs = logs;
    this.clock = clock;
  }

  @GetMapping("/{id}/metrics")
  public Mono<Map<String, Object>> metrics(
      ServerWebExchange exchange,
      @PathVariable("id") String ref,
      @RequestParam(name = "from", required = false) String from,
      @RequestParam(name = "to", required = false) String to,
      @RequestParam(name = "step", required = false) String step) {
    UUID tenant = Principal.of(exchange).requireRead();
    return deployments
        .get(tenant, ref)
        .flatMap(
            d -> {
              MetricsQuery q = MetricsQuery.parse(from, to, step, clock.instant());
              return series
                  .readRange(d.id().toString(), q.fromMinute(), q.toMinute(), q.stepMinutes())
                  .map(points -> metricsJson(d, q, points));
            });
  }

  private static Map<String, Object> metricsJson(
      Deployment d, MetricsQuery q, List<MinuteSeries> points) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("object", "deployment_metrics");
    m.put("deployment_id", d.id().toString());
    m.put("from", ApiObjects.time(q.at(0)));
    m.put("to", ApiObjects.time(q.at(q.points())));
    m.put("step", q.stepMinutes() * 60);
    m.put("latency_buckets_ms", LatencyBuckets.boundsMs());
    List<Map<String, Object>> data = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("at", ApiObjects.time(q.at(i)));
      p.putAll(points.get(i).json());
      data.add(p);
    }
    m.put("points", data);
    return m;
  }

  @GetMapping("/{id}/instances")
  public Mono<Map<String, Object>> instances(
      ServerWebExchange exchange, @PathVariable("id") String ref) {
    UUID tenant = Principal.of(exchange).requireRead();
    return deployments
        .get(tenant, ref)
        .flatMap(
            d ->
                Mono.zip(
                        liveEntry(d.id()).map(Optional::of).defaultIfEmpty(Optional.empty()),
                        live.scalingEvents(d.id()).onErrorReturn(List.of()))
                    .map(
                        t -> ApiObjects.list(InstanceViews.of(t.getT1().orElse(null), t.getT2()))));
  }

  @GetMapping("/{id}/instances/{iid}/logs")
  public Mono<Map<String, Object>> logs(
      ServerWebExchange exchange,
      @PathVariable("id") String ref,
      @PathVariable("iid") String instanceId,
      @RequestParam(name = "tail", required = false) String tail) {
    UUID tenant = Principal.of(exchange).requireRead();
    return deployments
        .get(tenant, ref)
        .flatMap(
            d -> {
              int lines = tail(tail);
              String deploymentId = d.id().toString();
              return liveEntry(d.id())
                  .filter(e -> has(e, instanceId))
                  .switchIfEmpty(Mono.error(() -> noInstance(instanceId)))
                  .flatMap(
                      e -> {
                        InstanceLogs reader =
                            logs.orElseThrow(TenantObservabilityController::noRuntime);
                        return Mono.zip(
                            Mono.fromCompletionStage(
                                    () -> reader.tail(deploymentId, instanceId, lines))
                                .onErrorMap(
                                    ex -> !(ex instanceof ZeroscaleException),
                                    TenantObservabilityController::unavailable),
                            engineKey(deploymentId, instanceId));
                      })
                  .map(
                      t -> {
                        List<String> raw = t.getT1().orElseThrow(() -> noInstance(instanceId));
                        List<String> secrets = t.getT2().isEmpty() ? List.of() : List.of(t.getT2());
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("object", "instance_logs");
                        m.put("instance_id", instanceId);
                        m.put("lines", LogRedaction.redact(raw, secrets));
                        return m;
                      });
            });
  }

  static int tail(String tail) {
    if (tail == null) {
      return DEFAULT_TAIL;
    }
    try {
      int n = Integer.parseInt(tail.strip());
      if (n >= 1 && n <= MAX_TAIL) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw MetricsQuery.bad("tail", "tail must be a whole number from 1 to " + MAX_TAIL + ".");
  }

  private static boolean has(LiveEntry e, String instanceId) {
    return e.instances() != null && e.instances().stream().anyMatch(i -> i.id().equals(instanceId));
  }

  private Mono<LiveEntry> liveEntry(UUID id) {
    return redis
        .<String, String>getMap(RedisSchema.LIVE, StringCodec.INSTANCE)
        .get(id.toString())
        .map(text -> LiveEntry.read(json, text));
  }

  /** The instance's engine key, to blank in its logs ("" when not published). */
  private Mono<String> engineKey(String deploymentId, String instanceId) {
    return redis
        .<String, String>getMap(RedisSchema.instances(deploymentId), StringCodec.INSTANCE)
        .get(instanceId)
        .map(
            text ->
                InstanceJson.read(json, text) instanceof InstanceEndpoint e && e.engineKey() != null
                    ? e.engineKey()
                    : "")
        .onErrorReturn("")
        .defaultIfEmpty("");
  }

  private static ZeroscaleException noInstance(String instanceId) {
    return new ZeroscaleException(
        OpenAiError.of(
            404, "No instance '" + InputBounds.echo(instanceId) + "'.", "iid", "not_found"));
  }

  private static ZeroscaleException noRuntime() {
    return new ZeroscaleException(
        OpenAiError.of(
            501,
            "Instance logs are served by a gateway that runs the activator (the standalone jar, or"
                + " the chart without controller.separate); this one runs no instances.",
            null,
            "logs_unavailable"));
  }

  private static ZeroscaleException unavailable(Throwable e) {
    return new ZeroscaleException(
        OpenAiError.of(
            503, "The instance's logs cannot be read right now.", null, "logs_unavailable"));
  }
}
