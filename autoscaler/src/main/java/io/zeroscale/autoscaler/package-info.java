/** Decides desired replicas per deployment from demand (queued + in-flight) and batch size. */
package io.zeroscale.autoscaler;
