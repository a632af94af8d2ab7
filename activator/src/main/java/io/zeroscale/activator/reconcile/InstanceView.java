package io.zeroscale.activator.reconcile;

import io.zeroscale.api.redis.LiveEntry.Phase;
import java.time.Instant;

/**
 * What the decider needs to know of one instance.
 *
 * @param id instance id
 * @param phase its phase
 * @param since when it entered its phase (or when it was scheduled, for ready ones: the start of
 *     its paid first hour)
 * @param scheduledAt when it started holding GPUs, null while pending
 */
public record InstanceView(String id, Phase phase, Instant since, Instant scheduledAt) {}
