package io.zeroscale.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Security review (hG): secrets that {@link LogRedaction} let through before the fix, and ordinary
 * lines near them that stay as they are.
 */
class LogRedactionGapsTest {

  private static String redact(String line) {
    return LogRedaction.redact(line, List.of());
  }

  @Test
  void basicAuthorizationCredentialsAreBlanked() {
    assertThat(redact("Authorization: Basic dXNlcjpodW50ZXIy"))
        .isEqualTo("Authorization: Basic [REDACTED]");
    assertThat(redact("{\"authorization\": \"Basic dXNlcjpodW50ZXIy\"}"))
        .isEqualTo("{\"authorization\": \"[REDACTED]\"}");
    assertThat(redact("a basic example")).isEqualTo("a basic example");
  }

  @Test
  void passwordInAUrlIsBlanked() {
    assertThat(redact("using proxy http://svc:Hunter2Hunter2@proxy.internal:3128"))
        .isEqualTo("using proxy http://svc:[REDACTED]@proxy.internal:3128");
    assertThat(redact("connecting to postgresql://zeroscale:pgPassw0rd@db:5432/zeroscale"))
        .isEqualTo("connecting to postgresql://zeroscale:[REDACTED]@db:5432/zeroscale");
    assertThat(redact("GET http://engine:8000/v1/models 200"))
        .isEqualTo("GET http://engine:8000/v1/models 200");
  }

  @Test
  void quotedValueWithSpacesIsBlankedUpToItsClosingQuote() {
    assertThat(redact("password=\"correct horse battery staple\" user=bob"))
        .isEqualTo("password=\"[REDACTED]\" user=bob");
    assertThat(redact("{'secret': 'two words', 'model': 'm'}"))
        .isEqualTo("{'secret': '[REDACTED]', 'model': 'm'}");
  }

  @Test
  void namedValueAfterASpaceSeparatorIsBlanked() {
    // a command line echoed with "--flag value" rather than "flag=value"
    assertThat(redact("args: --api-key s3cr3t-engine-k3y --port 8000"))
        .isEqualTo("args: --api-key [REDACTED] --port 8000");
    assertThat(redact("--hf-token abcdefgh --max-num-batched-tokens 8192"))
        .isEqualTo("--hf-token [REDACTED] --max-num-batched-tokens 8192");
    assertThat(redact("HF token: hf-is-not-the-prefix-here but secret Tr0ub4dor&3"))
        .isEqualTo("HF token: [REDACTED] but secret [REDACTED]");
    // a bare name followed by a word is prose, not a secret
    assertThat(redact("loading token file from the cache"))
        .isEqualTo("loading token file from the cache");
  }

  @Test
  void digitOnlyRunsAreBlanked() {
    assertThat(redact("otp seed 84930284759302847593028475930284"))
        .isEqualTo("otp seed [REDACTED]");
    assertThat(redact("processed 1234567890 tokens")).isEqualTo("processed 1234567890 tokens");
  }
}
