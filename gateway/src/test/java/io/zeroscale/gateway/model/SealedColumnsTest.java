package io.zeroscale.gateway.model;

import io.zeroscale.api.crypto.SecretBox;
import java.security.SecureRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class SealedColumnsTest {

  @Test
  void aSealedColumnOpensUnderItsContextAndIsEmptyOtherwise() {
    byte[] key = new byte[SecretBox.KEY_BYTES];
    new SecureRandom().nextBytes(key);
    SecretBox box = new SecretBox(key, new SecureRandom());
    byte[] sealed = box.seal("hf_secret", "models.hf_token_enc:1");

    StepVerifier.create(
            SealedColumns.open(
                box,
                Mono.just(sealed),
                "models.hf_token_enc:1",
                String::toUpperCase,
                UUID.randomUUID(),
                "HF token",
                "going on without it"))
        .expectNext("HF_SECRET")
        .verifyComplete();
    StepVerifier.create(
            SealedColumns.open(
                box,
                Mono.just(sealed),
                "models.hf_token_enc:2",
                t -> t,
                UUID.randomUUID(),
                "HF token",
                "going on without it"))
        .as("another row's context does not open it")
        .verifyComplete();
    StepVerifier.create(
            SealedColumns.open(
                box,
                Mono.just(sealed),
                "models.hf_token_enc:1",
                t -> {
                  throw new IllegalArgumentException("not JSON");
                },
                UUID.randomUUID(),
                "S3 access",
                "going on with its endpoint only"))
        .as("a text that does not read counts as not opening")
        .verifyComplete();
  }
}
