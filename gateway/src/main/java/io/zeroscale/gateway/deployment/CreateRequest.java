package io.zeroscale.gateway.deployment;

import io.zeroscale.api.Family;
import io.zeroscale.api.ScalingSettings;

/**
 * A validated {@code POST /api/v1/deployments} body; rules that need the database (model, fit,
 * quota, unique name) are checked by the service.
 *
 * @param family null to take the model's
 * @param engine the engine options of revision 1, with a draft model still to resolve
 */
public record CreateRequest(
    String modelName,
    ModelRef model,
    Family family,
    String gpu,
    int numGpus,
    int maxBatchSize,
    ScalingSettings settings,
    EngineRules.Requested engine) {}
