package io.zeroscale.autoscaler.loop;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Port: the engines' own count of requests ({@code vllm:num_requests_running + waiting}) summed
 * over instances, the second demand signal (it sees clients that bypass the gateways' queues).
 */
public interface EngineMetrics {

  /** Never asks: the decider then uses the gateways' figures alone. */
  EngineMetrics NONE = urls -> Mono.just(-1.0);

  /** The sum over {@code urls} that answered, or a negative number when none did. */
  Mono<Double> demand(List<String> urls);
}
