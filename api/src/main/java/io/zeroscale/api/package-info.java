/** Records shared by gateway, activator and autoscaler: deployment specs and the Redis schema. */
package io.zeroscale.api;
