package io.zeroscale.gateway.model;

import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.web.ApiObjects;
import io.zeroscale.gateway.web.JsonBody;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * SPEC §3 model library, {@code /api/v1/models}. {@code {id}} is a model's id or its name. Reads
 * need {@code deployments:read}, changes {@code deployments:write}.
 */
@RestController
@RequestMapping("/api/v1/models")
public class ModelController {

  private final ModelService models;

  public ModelController(ModelService models) {
    this.models = models;
  }

  /** 202: the import goes on in the background; poll the model until it leaves importing. */
  @PostMapping
  public Mono<ResponseEntity<Model.Json>> importModel(
      ServerWebExchange exchange, @RequestBody(required = false) String body) {
    UUID tenant = Principal.of(exchange).requireWrite();
    ModelService.ImportRequest req = ModelRequests.importRequest(JsonBody.parse(body));
    return models
        .importModel(tenant, req)
        .map(
            m ->
                ResponseEntity.status(HttpStatus.ACCEPTED)
                    .location(URI.create("/api/v1/models/" + m.id()))
                    .body(m.json()));
  }

  @GetMapping
  public Mono<Map<String, Object>> list(ServerWebExchange exchange) {
    UUID tenant = Principal.of(exchange).requireRead();
    return models.list(tenant).map(Model::json).collectList().map(ApiObjects::list);
  }

  @GetMapping("/{id}")
  public Mono<Model.Json> get(ServerWebExchange exchange, @PathVariable("id") String ref) {
    UUID tenant = Principal.of(exchange).requireRead();
    return models.get(tenant, ref).map(Model::json);
  }

  @PatchMapping("/{id}")
  public Mono<Model.Json> rename(
      ServerWebExchange exchange,
      @PathVariable("id") String ref,
      @RequestBody(required = false) String body) {
    UUID tenant = Principal.of(exchange).requireWrite();
    String name = ModelRequests.rename(JsonBody.parse(body));
    return models.rename(tenant, ref, name).map(Model::json);
  }

  @DeleteMapping("/{id}")
  public Mono<ResponseEntity<Void>> delete(
      ServerWebExchange exchange, @PathVariable("id") String ref) {
    UUID tenant = Principal.of(exchange).requireWrite();
    return models.delete(tenant, ref).thenReturn(ResponseEntity.noContent().build());
  }
}
