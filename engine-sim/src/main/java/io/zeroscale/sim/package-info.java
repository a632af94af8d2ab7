/** Engine simulator entry point and wiring: an OpenAI-compatible stand-in for vLLM. */
package io.zeroscale.sim;
