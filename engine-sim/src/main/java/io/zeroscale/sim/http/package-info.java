/** Reactor Netty HTTP layer: routing, readiness, streaming writes and the one error mapping. */
package io.zeroscale.sim.http;
