package io.zeroscale.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LogRedactionTest {

  private static String redact(String line) {
    return LogRedaction.redact(line, List.of());
  }

  @Test
  void blanksTokensByTheirLook() {
    assertThat(redact("using token hf_AbCdEfGhIjKlMnOpQrStUv for the hub"))
        .isEqualTo("using token [REDACTED] for the hub");
    assertThat(redact("key zs-abcdefgh12345678 and zse_Zm9vYmFyYmF6cXV4"))
        .isEqualTo("key [REDACTED] and [REDACTED]");
    assertThat(redact("AWS AKIAIOSFODNN7EXAMPLE")).isEqualTo("AWS [REDACTED]");
    assertThat(redact("Authorization: Bearer abc.def.ghi"))
        .isEqualTo("Authorization: Bearer [REDACTED]");
    assertThat(redact("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCY"))
        .isEqualTo("aws_secret_access_key=[REDACTED]");
    assertThat(redact("{\"api_key\": \"s3cr3t\"}")).isEqualTo("{\"api_key\": \"[REDACTED]\"}");
    assertThat(redact("blob 0123456789abcdef0123456789abcdef01 end"))
        .isEqualTo("blob [REDACTED] end");
  }

  @Test
  void leavesOrdinaryLinesAlone() {
    String line =
        "INFO 12-06 10:00:01 Serving model meta-llama/Llama-3.1-8B-Instruct on port 8000 (200 OK)";
    assertThat(redact(line)).isEqualTo(line);
    assertThat(redact("tokens per second: 120")).isEqualTo("tokens per second: 120");
  }

  @Test
  void blanksTheGivenSecrets() {
    assertThat(
            LogRedaction.redact(
                List.of("token=abc", "the key is k3y-of-this-instance!"),
                List.of("k3y-of-this-instance")))
        .containsExactly("token=[REDACTED]", "the key is [REDACTED]!");
  }
}
