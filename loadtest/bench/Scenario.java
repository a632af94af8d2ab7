package bench;

import java.util.Map;

/**
 * One phase of the benchmark. {@link Bench} runs it and puts the map it returns into results.json
 * under the phase's key; the map may carry the phase's error count under {@link #ERRORS}, which is
 * taken out and added to the run's (any error fails the run, smoke or not).
 *
 * <p>To add a scenario: a class implementing this with everything it needs passed to its
 * constructor (the {@link Run}, a {@link Gateway}, the {@link Target}s), a call in {@link Bench}
 * behind a {@code --phases} name, and its tables in {@link Report}.
 */
interface Scenario {
  String ERRORS = "_errors";

  Map<String, Object> run() throws Exception;
}
