package io.zeroscale.activator.events;

import java.time.Instant;

/**
 * The leader still sees an instance that holds GPUs. Billing closes an instance whose heartbeats
 * stopped (its activator died) at the last one.
 */
public record Heartbeat(
    String instanceId, String deploymentId, String tenantId, String gpu, int numGpus, Instant at) {}
