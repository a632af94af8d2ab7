/**
 * Command-line flags (vLLM / llm-d-inference-sim names) parsed into a validated {@code SimConfig}.
 */
package io.zeroscale.sim.config;
