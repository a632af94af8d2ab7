package io.zeroscale.gateway.deployment;

import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.web.ApiObjects;
import io.zeroscale.gateway.web.InputBounds;
import java.util.Map;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * OpenAI's {@code GET /v1/models} (and {@code /custom-model/v1/models}): the tenant's live
 * deployments this key may call, as {@code {"object":"list","data":[{"id": model_name, "object":
 * "model", "created", "owned_by": tenant}]}}. A deployment being deleted is no longer listed.
 */
@RestController
public class OpenAiModelsController {

  private final DeploymentService deployments;

  public OpenAiModelsController(DeploymentService deployments) {
    this.deployments = deployments;
  }

  @GetMapping({"/v1/models", "/custom-model/v1/models"})
  public Mono<Map<String, Object>> list(ServerWebExchange exchange) {
    Principal p = Principal.of(exchange);
    UUID tenant = p.requireTenant();
    return deployments
        .list(tenant)
        .filter(d -> callable(p, d))
        .map(Deployment::openAiModel)
        .collectList()
        .map(ApiObjects::list);
  }

  /**
   * {@code model} is the model_name or the full name {@code <tenant>/<model_name>}. One trailing
   * slash is an alias (as on the inference paths): {@code /v1/models/} is the list, {@code
   * /v1/models/chat/} is {@code chat}.
   */
  @GetMapping({"/v1/models/{*model}", "/custom-model/v1/models/{*model}"})
  public Mono<Map<String, Object>> get(ServerWebExchange exchange, @PathVariable String model) {
    String name = model.startsWith("/") ? model.substring(1) : model;
    if (name.endsWith("/")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.isEmpty()) {
      return list(exchange);
    }
    return one(exchange, name);
  }

  private Mono<Map<String, Object>> one(ServerWebExchange exchange, String name) {
    Principal p = Principal.of(exchange);
    UUID tenant = p.requireTenant();
    String prefix = p.tenantName() + "/";
    String modelName = name.startsWith(prefix) ? name.substring(prefix.length()) : name;
    return deployments
        .list(tenant)
        .filter(d -> d.modelName().equals(modelName) && callable(p, d))
        .next()
        .map(Deployment::openAiModel)
        .switchIfEmpty(
            Mono.error(
                () ->
                    new ZeroscaleException(
                        OpenAiError.of(
                            404,
                            "The model '"
                                + InputBounds.echo(name)
                                + "' does not exist or you do not have access.",
                            "model",
                            "model_not_found"))));
  }

  private static boolean callable(Principal p, Deployment d) {
    return d.status() != DeploymentStatus.DELETING && p.mayInfer(d.modelName());
  }
}
