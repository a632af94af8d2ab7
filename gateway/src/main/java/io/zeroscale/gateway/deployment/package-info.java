/**
 * Deployments of library models (SPEC §3): validation, the tenant GPU quota under concurrency,
 * publication of {@code DeploymentSpec}s to Redis, {@code GET /v1/models}.
 */
package io.zeroscale.gateway.deployment;
