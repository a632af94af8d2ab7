/** vLLM-named Prometheus metrics, rendered by hand in the text exposition format. */
package io.zeroscale.sim.metrics;
