/**
 * Request ids, W3C trace context and per-request metering: what the data plane records about a
 * request without ever altering or holding back its bytes.
 */
package io.zeroscale.gateway.observe;
