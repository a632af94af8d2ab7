/** OpenAI request parsing/validation and response shapes (JSON bodies and SSE chunks). */
package io.zeroscale.sim.openai;
