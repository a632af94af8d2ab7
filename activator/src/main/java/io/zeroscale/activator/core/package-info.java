/**
 * The activator's core: leadership, the reconcile loop that turns desired replicas into instances
 * through a {@link io.zeroscale.activator.runtime.InstanceRuntime}, readiness, draining and
 * failures.
 */
package io.zeroscale.activator.core;
