package io.zeroscale.billing.ledger;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One billable instance as the ledger records it ({@code billing_instances}).
 *
 * @param instanceId the instance
 * @param tenantId its tenant
 * @param deploymentId its deployment
 * @param deploymentName the deployment's {@code model_name}, for invoice lines
 * @param gpu GPU type
 * @param numGpus GPUs it held
 * @param microsPerGpuHour price captured when the ledger first saw it (2.00 USD = 2_000_000)
 * @param startedAt when it took its GPUs ({@code scheduled})
 * @param endedAt when it let them go ({@code stopped}, or its last heartbeat), null while running
 */
public record LedgerEntry(
    String instanceId,
    UUID tenantId,
    UUID deploymentId,
    String deploymentName,
    String gpu,
    int numGpus,
    long microsPerGpuHour,
    Instant startedAt,
    Instant endedAt) {

  public LedgerEntry {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(startedAt, "startedAt");
    if (numGpus < 1) {
      throw new IllegalArgumentException("numGpus must be >= 1, got " + numGpus);
    }
    if (microsPerGpuHour < 0) {
      throw new IllegalArgumentException("microsPerGpuHour must be >= 0, got " + microsPerGpuHour);
    }
  }
}
