/**
 * The scaling decision as a pure function of (policy, state, observation): no Spring, Redisson,
 * Kubernetes or clock of its own, tested with tables and a fake clock.
 */
package io.zeroscale.autoscaler.decider;
