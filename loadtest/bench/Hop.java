package bench;

/**
 * One path of the CPU-bound scenario ({@link CpuBound}): where its requests go, and the process
 * whose CPU a request costs there (-1 for the simulator called directly: no proxy).
 *
 * @param name the column's key in results.json: {@code direct}, {@code nginx}, {@code bare_scg},
 *     {@code zeroscale}
 * @param target host, port and key of the requests
 * @param pid the proxy's process (for nginx its one worker, for SCG and Zeroscale their JVM)
 * @param what what the column is, for the report
 */
record Hop(String name, Target target, long pid, String what) {}
