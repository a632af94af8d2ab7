/**
 * The JSON text of the shared records as it sits in Redis: one codec per payload, so that the
 * gateway, the activator and the autoscaler read and write exactly the same fields.
 */
package io.zeroscale.api.json;
