package io.zeroscale.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Security review (hG): secrets that {@link LogRedaction} lets through today. Each assertion pins
 * the current leak so that the review's reproduction stays runnable; the fix of each gap makes its
 * assertion fail, and the assertion is then turned into the redacted expectation.
 */
class LogRedactionGapsTest {

  private static String redact(String line) {
    return LogRedaction.redact(line, List.of());
  }

  @Test
  void basicAuthorizationCredentialsLeak() {
    // "Basic" is taken as the value of "Authorization:", the credentials after it stay
    assertThat(redact("Authorization: Basic dXNlcjpodW50ZXIy"))
        .isEqualTo("Authorization: [REDACTED] dXNlcjpodW50ZXIy");
  }

  @Test
  void passwordInAUrlLeaks() {
    assertThat(redact("using proxy http://svc:Hunter2Hunter2@proxy.internal:3128"))
        .contains("Hunter2Hunter2");
    assertThat(redact("connecting to postgresql://zeroscale:pgPassw0rd@db:5432/zeroscale"))
        .contains("pgPassw0rd");
  }

  @Test
  void quotedValueWithASpaceLeaksAfterItsFirstWord() {
    assertThat(redact("password=\"correct horse battery staple\""))
        .isEqualTo("password=\"[REDACTED] horse battery staple\"");
  }

  @Test
  void namedValueAfterASpaceSeparatorLeaks() {
    // a command line echoed with "--flag value" rather than "flag=value"
    assertThat(redact("args: --api-key s3cr3t-engine-k3y --port 8000"))
        .contains("s3cr3t-engine-k3y");
    assertThat(redact("HF token: hf-is-not-the-prefix-here but secret Tr0ub4dor&3"))
        .contains("Tr0ub4dor&3");
  }

  @Test
  void digitOnlyOrLetterOnlyRunsLeak() {
    // LONG_RUN needs letters and digits mixed
    assertThat(redact("otp seed 84930284759302847593028475930284"))
        .contains("84930284759302847593028475930284");
  }
}
