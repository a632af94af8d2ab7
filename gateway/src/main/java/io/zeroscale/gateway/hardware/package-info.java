/** The hardware catalog (GPU types, memory, hourly price) and which of them fit a model. */
package io.zeroscale.gateway.hardware;
