/** Scaling rules both the autoscaler's decider and the activator's reconcile apply. */
package io.zeroscale.api.scaling;
