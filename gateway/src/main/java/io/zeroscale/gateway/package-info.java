/** The reactive gateway: OpenAI-compatible data plane, tenant and admin API, hold queues. */
package io.zeroscale.gateway;
