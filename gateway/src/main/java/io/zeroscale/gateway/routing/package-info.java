/** Routing: deployments and instances mirrored from Redis, fleet-wide slots, queues, the proxy. */
package io.zeroscale.gateway.routing;
