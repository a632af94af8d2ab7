/** Admission (max-num-seqs + FIFO waiting queue), token timing and fault injection. */
package io.zeroscale.sim.engine;
