package io.zeroscale.gateway.model;

import io.zeroscale.api.crypto.SecretBox;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Opens a model's sealed column (its HF token, its S3 access). A ciphertext that does not open, or
 * whose text does not read, is empty, with a warning that names the model and never the secret: the
 * usual cause is a changed {@code zeroscale.secrets.key}, and the model stays usable without its
 * secret rather than failing every deployment of it.
 */
final class SealedColumns {

  private static final Logger log = LoggerFactory.getLogger(SealedColumns.class);

  private SealedColumns() {}

  /**
   * @param sealed the column's ciphertext, empty when the row has none
   * @param context the associated data it was sealed with
   * @param read turns the opened text into the value; an {@link IllegalArgumentException} from it
   *     counts as not opening
   * @param what the column in the warning, e.g. {@code "HF token"}
   * @param instead what goes on without it, e.g. {@code "going on without it"}
   */
  static <T> Mono<T> open(
      SecretBox secrets,
      Mono<byte[]> sealed,
      String context,
      Function<String, T> read,
      UUID modelId,
      String what,
      String instead) {
    return sealed.flatMap(
        ciphertext -> {
          try {
            return Mono.just(read.apply(secrets.open(ciphertext, context)));
          } catch (IllegalArgumentException e) {
            log.warn(
                "The {} of model {} does not open (was zeroscale.secrets.key changed?); {}",
                what,
                modelId,
                instead);
            return Mono.empty();
          }
        });
  }
}
