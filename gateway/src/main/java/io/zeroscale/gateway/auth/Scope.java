package io.zeroscale.gateway.auth;

import java.util.Optional;

/**
 * The scopes of a fixed name (see {@link Scopes}): each with its wire name and whether it is a
 * platform scope (only on keys that belong to no tenant) or a tenant scope. The per-model {@code
 * inference:<model_name>} scopes are not among them.
 */
public enum Scope {
  INFERENCE_ALL("inference:*"),
  DEPLOYMENTS_READ("deployments:read"),
  DEPLOYMENTS_WRITE("deployments:write"),
  USAGE_READ("usage:read"),
  KEYS_READ("keys:read"),
  KEYS_WRITE("keys:write"),
  BILLING_WRITE("billing:write"),
  ADMIN("admin"),
  FINANCE("finance"),
  METRICS("metrics");

  private final String wire;

  Scope(String wire) {
    this.wire = wire;
  }

  /** The name keys carry, e.g. {@code deployments:read}. */
  public String wire() {
    return wire;
  }

  /** Whether only platform keys may hold it. */
  public boolean platform() {
    return switch (this) {
      case ADMIN, FINANCE, METRICS -> true;
      case INFERENCE_ALL,
          DEPLOYMENTS_READ,
          DEPLOYMENTS_WRITE,
          USAGE_READ,
          KEYS_READ,
          KEYS_WRITE,
          BILLING_WRITE ->
          false;
    };
  }

  /** The scope of this wire name, empty for a per-model or unknown one. */
  public static Optional<Scope> fromWire(String wire) {
    for (Scope s : values()) {
      if (s.wire.equals(wire)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
