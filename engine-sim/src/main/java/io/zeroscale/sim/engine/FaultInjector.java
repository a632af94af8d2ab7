package io.zeroscale.sim.engine;

import java.util.Random;

/**
 * Decides which admitted requests fail with an injected 500. Seeded, so a test run with the same
 * {@code --seed} and the same request order fails the same requests.
 */
public final class FaultInjector {

  private final double rate;
  // java.util.Random is thread-safe (one CAS per draw), which is all a few draws per request need.
  private final Random random;

  public FaultInjector(double rate, long seed) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("failure injection rate must be in [0, 1], got " + rate);
    }
    this.rate = rate;
    this.random = new Random(seed);
  }

  /** True when this request should fail; rate 0 never draws, rate 1 always fails. */
  public boolean shouldFail() {
    if (rate == 0) {
      return false;
    }
    return random.nextDouble() < rate;
  }
}
