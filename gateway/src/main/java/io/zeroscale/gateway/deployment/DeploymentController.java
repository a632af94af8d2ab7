package io.zeroscale.gateway.deployment;

import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.web.ApiObjects;
import io.zeroscale.gateway.web.JsonBody;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * SPEC §3 deployments, {@code /api/v1/deployments}. {@code {id}} is a deployment's id or its
 * model_name. Reads need {@code deployments:read}, changes {@code deployments:write}.
 */
@RestController
@RequestMapping("/api/v1/deployments")
public class DeploymentController {

  private final DeploymentService deployments;
  private final HardwareCatalog catalog;

  public DeploymentController(DeploymentService deployments, HardwareCatalog catalog) {
    this.deployments = deployments;
    this.catalog = catalog;
  }

  @PostMapping
  public Mono<ResponseEntity<Map<String, Object>>> create(
      ServerWebExchange exchange, @RequestBody(required = false) String body) {
    UUID tenant = Principal.of(exchange).requireWrite();
    JsonBody req = JsonBody.parse(body);
    CreateRequest create = DeploymentRequests.create(req, req.raw("model"), catalog);
    return deployments
        .create(tenant, create)
        .flatMap(this::one)
        .map(
            d ->
                ResponseEntity.status(HttpStatus.CREATED)
                    .location(URI.create("/api/v1/deployments/" + d.get("id")))
                    .body(d));
  }

  @GetMapping
  public Mono<Map<String, Object>> list(ServerWebExchange exchange) {
    UUID tenant = Principal.of(exchange).requireRead();
    return deployments
        .list(tenant)
        .collectList()
        .flatMap(deployments::withLiveState)
        .map(ApiObjects::list);
  }

  @GetMapping("/{id}")
  public Mono<Map<String, Object>> get(ServerWebExchange exchange, @PathVariable("id") String ref) {
    UUID tenant = Principal.of(exchange).requireRead();
    return deployments.get(tenant, ref).flatMap(this::one);
  }

  /**
   * The deployment's events, newest first (at most 100): the autoscaler's decisions that changed
   * desired replicas ({@code scaling_event}: when, from, to, mode, demand, reason) and its
   * instances' lifecycle ({@code instance_event}: instance, revision, type, GPU, detail).
   */
  @GetMapping("/{id}/events")
  public Mono<Map<String, Object>> events(
      ServerWebExchange exchange, @PathVariable("id") String ref) {
    UUID tenant = Principal.of(exchange).requireRead();
    return deployments.get(tenant, ref).flatMap(deployments::scalingEvents).map(ApiObjects::list);
  }

  /**
   * An alias of {@code PATCH} with the same body and semantics (DeepInfra updates with {@code PUT
   * /deploy/{id}}): fields left out are kept, not reset.
   */
  @PutMapping("/{id}")
  public Mono<Map<String, Object>> put(
      ServerWebExchange exchange,
      @PathVariable("id") String ref,
      @RequestBody(required = false) String body) {
    return patch(exchange, ref, body);
  }

  @PatchMapping("/{id}")
  public Mono<Map<String, Object>> patch(
      ServerWebExchange exchange,
      @PathVariable("id") String ref,
      @RequestBody(required = false) String body) {
    UUID tenant = Principal.of(exchange).requireWrite();
    JsonBody req = JsonBody.parse(body);
    req.allowOnly(DeploymentRequests.PATCH_FIELDS);
    return deployments.patch(tenant, ref, req, req.raw("model")).flatMap(this::one);
  }

  /**
   * The deployment's revisions, newest first: number, what changed, the model, hardware and engine
   * options, status ({@code rolling_out}, {@code active}, {@code superseded}, {@code failed}) and
   * why a failed one failed.
   */
  @GetMapping("/{id}/revisions")
  public Mono<Map<String, Object>> revisions(
      ServerWebExchange exchange, @PathVariable("id") String ref) {
    UUID tenant = Principal.of(exchange).requireRead();
    return deployments
        .get(tenant, ref)
        .flatMap(deployments::revisions)
        .map(list -> ApiObjects.list(list.stream().map(DeploymentRevision::json).toList()));
  }

  /**
   * 202 with the deployment: a new revision with the content of the one before the last asked for
   * is rolling out; 409 {@code no_previous_revision} when there is none.
   */
  @PostMapping("/{id}/rollback")
  public Mono<ResponseEntity<Map<String, Object>>> rollback(
      ServerWebExchange exchange, @PathVariable("id") String ref) {
    UUID tenant = Principal.of(exchange).requireWrite();
    return accepted(deployments.rollback(tenant, ref));
  }

  /** 202 with the deployment as {@code deleting}: it drains, then disappears (404). */
  @DeleteMapping("/{id}")
  public Mono<ResponseEntity<Map<String, Object>>> delete(
      ServerWebExchange exchange, @PathVariable("id") String ref) {
    UUID tenant = Principal.of(exchange).requireWrite();
    return accepted(deployments.delete(tenant, ref));
  }

  /** 202 with the deployment, live state included: the change goes on in the activator. */
  private Mono<ResponseEntity<Map<String, Object>>> accepted(Mono<Deployment> changed) {
    return changed.flatMap(this::one).map(d -> ResponseEntity.status(HttpStatus.ACCEPTED).body(d));
  }

  private Mono<Map<String, Object>> one(Deployment d) {
    return deployments.withLiveState(List.of(d)).map(List::getFirst);
  }
}
