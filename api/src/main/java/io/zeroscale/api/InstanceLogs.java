package io.zeroscale.api;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Reads an instance's last log lines from the runtime that runs it (process runtime: its log file;
 * Kubernetes: its pod's log). Offered by the activator's module where it runs in the same process
 * as the gateway (the standalone jar, or a chart replica with both); a gateway without it answers
 * the tenant's logs request with 501.
 */
public interface InstanceLogs {

  /** At most this many bytes are read from the end of a log. */
  int MAX_BYTES = 256 * 1024;

  /**
   * The last {@code lines} lines of an instance's log, oldest first, with the secrets the instance
   * was given (HF token, S3 credentials) blanked, the rest raw (the caller redacts); empty when the
   * runtime does not run an instance of that id for that deployment.
   */
  CompletionStage<Optional<List<String>>> tail(String deploymentId, String instanceId, int lines);
}
