package io.zeroscale.activator.runtime;

import io.zeroscale.api.InstanceLogs;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * {@link InstanceLogs} from the runtime this process runs instances with, each line with the
 * secrets given to the deployment's instances (its HF token, the platform's when it may use it, its
 * S3 credentials) replaced by {@value #MASK}: they are known here, not in the gateway, which then
 * blanks the rest ({@code LogRedaction}). Secrets that cannot be read right now make no answer
 * rather than an unblanked one.
 */
public final class RuntimeLogs implements InstanceLogs {

  /** What a secret becomes (the gateway's {@code LogRedaction.MASK}). */
  public static final String MASK = "[REDACTED]";

  /** Shorter literals are not blanked (they would blank ordinary words). */
  static final int MIN_SECRET_LENGTH = 8;

  private final InstanceRuntime runtime;
  private final Function<String, Mono<List<String>>> secrets;

  public RuntimeLogs(InstanceRuntime runtime) {
    this(runtime, id -> Mono.just(List.of()));
  }

  /**
   * @param secrets a deployment's secrets given to its instances, by deployment id
   */
  public RuntimeLogs(InstanceRuntime runtime, Function<String, Mono<List<String>>> secrets) {
    this.runtime = runtime;
    this.secrets = secrets;
  }

  @Override
  public CompletionStage<Optional<List<String>>> tail(
      String deploymentId, String instanceId, int lines) {
    return runtime
        .logs(deploymentId, instanceId, lines, MAX_BYTES)
        .flatMap(
            raw ->
                secrets
                    .apply(deploymentId)
                    .defaultIfEmpty(List.of())
                    .map(known -> blank(raw, known)))
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /** The lines with each literal secret (of {@value #MIN_SECRET_LENGTH}+ characters) blanked. */
  static List<String> blank(List<String> lines, Collection<String> secrets) {
    List<String> known =
        secrets.stream().filter(s -> s != null && s.length() >= MIN_SECRET_LENGTH).toList();
    if (known.isEmpty()) {
      return lines;
    }
    return lines.stream()
        .map(
            line -> {
              String out = line;
              for (String s : known) {
                out = out.replace(s, MASK);
              }
              return out;
            })
        .toList();
  }
}
