package io.zeroscale.sim.config;

/** What the command line asked for: run with a config, print usage, or fail with a message. */
public sealed interface ParseResult {

  /** A valid configuration to run with. */
  record Ok(SimConfig config) implements ParseResult {}

  /** {@code --help} was given: print the usage and exit 0. */
  record Help(String usage) implements ParseResult {}

  /** The command line is wrong: print the message to stderr and exit 2. */
  record Invalid(String message) implements ParseResult {}
}
