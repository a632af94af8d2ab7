package io.zeroscale.gateway.routing;

import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.gateway.error.ZeroscaleException;
import java.util.Optional;

/**
 * Port: whether a request that would wake a deployment up (no ready instance) must be refused
 * instead of held, e.g. because its tenant's spend limit cannot pay the first hour (402). Answered
 * from memory: it runs on the event loop.
 */
public interface WakeUpGuard {

  /** The error code of a wake-up refused for the spend limit. */
  String SPEND_LIMIT_CODE = "spend_limit_reached";

  /** Refuses nothing. */
  WakeUpGuard NONE = spec -> Optional.empty();

  /** The client's error when this deployment must not be woken up, else empty. */
  Optional<ZeroscaleException> refuse(DeploymentSpec spec);
}
