/**
 * Deterministic output: words, embedding vectors, rerank scores and PNG images from input hashes.
 */
package io.zeroscale.sim.generate;
