package io.zeroscale.gateway.hardware;

import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.model.ModelService;
import java.util.Map;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** SPEC §3 {@code GET /api/v1/hardware[?model=<id or name>]}; needs {@code deployments:read}. */
@RestController
public class HardwareController {

  private final HardwareCatalog catalog;
  private final ModelService models;

  public HardwareController(HardwareCatalog catalog, ModelService models) {
    this.catalog = catalog;
    this.models = models;
  }

  @GetMapping("/api/v1/hardware")
  public Mono<Map<String, Object>> hardware(
      ServerWebExchange exchange, @RequestParam(name = "model", required = false) String model) {
    UUID tenant = Principal.of(exchange).requireRead();
    if (model == null || model.isBlank()) {
      return Mono.just(HardwareView.catalog(catalog));
    }
    return models.get(tenant, model).map(m -> HardwareView.forModel(catalog, m));
  }
}
