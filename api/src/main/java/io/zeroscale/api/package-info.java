/**
 * Records shared by gateway, activator and autoscaler: deployment specs, the Redis schema and its
 * payloads.
 */
package io.zeroscale.api;
