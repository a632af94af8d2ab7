package io.zeroscale.sim.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimConfigParserTest {

  private static SimConfig ok(String... args) {
    ParseResult result = SimConfigParser.parse(args);
    assertThat(result).isInstanceOf(ParseResult.Ok.class);
    return ((ParseResult.Ok) result).config();
  }

  private static String invalid(String... args) {
    ParseResult result = SimConfigParser.parse(args);
    assertThat(result).isInstanceOf(ParseResult.Invalid.class);
    return ((ParseResult.Invalid) result).message();
  }

  @Test
  void defaultsApplyWhenOnlyTheModelIsGiven() {
    SimConfig c = ok("--served-model-name=m");
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(8000);
    assertThat(c.servedModelNames()).containsExactly("m");
    assertThat(c.family()).isEqualTo(Family.LLM);
    assertThat(c.startupDuration()).isZero();
    assertThat(c.timeToFirstToken()).isZero();
    assertThat(c.interTokenLatency()).isZero();
    assertThat(c.maxNumSeqs()).isEqualTo(256);
    assertThat(c.maxWaitingQueueLength()).isEqualTo(1000);
    assertThat(c.failureInjectionRate()).isZero();
    assertThat(c.crashAfterRequests()).isEmpty();
    assertThat(c.seed()).isZero();
    assertThat(c.embeddingDimensions()).isEqualTo(384);
    assertThat(c.maxModelLen()).isEqualTo(4096);
    assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void theSpecCommandLineParses() {
    SimConfig c =
        ok(
            "--port=9100",
            "--served-model-name=m",
            "--startup-duration=3s",
            "--time-to-first-token=50ms",
            "--inter-token-latency=10ms",
            "--max-num-seqs=8",
            "--max-waiting-queue-length=1000",
            "--failure-injection-rate=0.1",
            "--crash-after-requests=5",
            "--family=embedding",
            "--seed=42",
            "--embedding-dimensions=16",
            "--drain-timeout=1m",
            "--host=127.0.0.1");
    assertThat(c.port()).isEqualTo(9100);
    assertThat(c.startupDuration()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.timeToFirstToken()).isEqualTo(Duration.ofMillis(50));
    assertThat(c.interTokenLatency()).isEqualTo(Duration.ofMillis(10));
    assertThat(c.maxNumSeqs()).isEqualTo(8);
    assertThat(c.failureInjectionRate()).isEqualTo(0.1);
    assertThat(c.crashAfterRequests()).hasValue(5);
    assertThat(c.family()).isEqualTo(Family.EMBEDDING);
    assertThat(c.seed()).isEqualTo(42);
    assertThat(c.embeddingDimensions()).isEqualTo(16);
    assertThat(c.drainTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.host()).isEqualTo("127.0.0.1");
  }

  @Test
  void spaceSeparatedValuesWorkLikeEqualsValues() {
    SimConfig c = ok("--port", "9100", "--served-model-name", "m", "--time-to-first-token", "50ms");
    assertThat(c.port()).isEqualTo(9100);
    assertThat(c.servedModelNames()).containsExactly("m");
    assertThat(c.timeToFirstToken()).isEqualTo(Duration.ofMillis(50));
  }

  @Test
  void servedModelNameTakesSeveralNamesLikeVllm() {
    assertThat(ok("--served-model-name", "a", "b", "--port=1").servedModelNames())
        .containsExactly("a", "b");
    assertThat(ok("--served-model-name=a,b").servedModelNames()).containsExactly("a", "b");
    assertThat(ok("--served-model-name", "a,b", "c").servedModelNames())
        .containsExactly("a", "b", "c");
  }

  @Test
  void positionalModelIsTheServedNameWhenNoneIsGiven() {
    assertThat(ok("org/repo", "--port=1").servedModelNames()).containsExactly("org/repo");
    assertThat(ok("serve", "org/repo").servedModelNames()).containsExactly("org/repo");
    assertThat(ok("--model", "org/repo").servedModelNames()).containsExactly("org/repo");
    assertThat(ok("org/repo", "--served-model-name=short").servedModelNames())
        .containsExactly("short");
  }

  @Test
  void vllmFlagsFromAProcessTemplateAreAcceptedAndIgnored() {
    SimConfig c =
        ok(
            "org/repo",
            "--tensor-parallel-size",
            "2",
            "--trust-remote-code",
            "--dtype=auto",
            "--gpu-memory-utilization",
            "0.9",
            "--max-model-len=8192",
            "--served-model-name",
            "m");
    assertThat(c.servedModelNames()).containsExactly("m");
    assertThat(c.maxModelLen()).isEqualTo(8192);
  }

  @ParameterizedTest
  @CsvSource({"3s,3000", "50ms,50", "1m,60000", "0,0", "250,250", "1.5s,1500", "2h,7200000"})
  void durationsAcceptUnitsAndPlainMilliseconds(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    assertThat(ok("--served-model-name=m", "--time-to-first-token=" + text).timeToFirstToken())
        .isEqualTo(Duration.ofMillis(millis));
  }

  @Test
  void unknownFlagIsRejectedByName() {
    assertThat(invalid("--served-model-name=m", "--bogus=1")).contains("--bogus");
    assertThat(invalid("--served-model-name=m", "-x")).contains("-x");
  }

  @Test
  void invalidValuesNameTheFlag() {
    assertThat(invalid("--served-model-name=m", "--port=abc")).startsWith("--port").contains("abc");
    assertThat(invalid("--served-model-name=m", "--port=70000")).contains("--port");
    assertThat(invalid("--served-model-name=m", "--max-num-seqs=0")).contains("--max-num-seqs");
    assertThat(invalid("--served-model-name=m", "--max-waiting-queue-length=-1"))
        .contains("--max-waiting-queue-length");
    assertThat(invalid("--served-model-name=m", "--failure-injection-rate=1.5"))
        .contains("--failure-injection-rate");
    assertThat(invalid("--served-model-name=m", "--family=video"))
        .contains("--family")
        .contains("video");
    assertThat(invalid("--served-model-name=m", "--time-to-first-token=soon"))
        .contains("--time-to-first-token");
    assertThat(invalid("--served-model-name=m", "--crash-after-requests=-1"))
        .contains("--crash-after-requests");
    assertThat(invalid("--served-model-name=m", "--embedding-dimensions=0"))
        .contains("--embedding-dimensions");
  }

  @Test
  void missingValueOrModelIsReported() {
    assertThat(invalid("--served-model-name=m", "--port")).contains("--port needs a value");
    assertThat(invalid("--port=1")).contains("--served-model-name");
    assertThat(invalid("a", "b")).contains("'b'");
  }

  @Test
  void helpPrintsEveryFlag() {
    ParseResult result = SimConfigParser.parse("--help");
    assertThat(result).isInstanceOf(ParseResult.Help.class);
    String usage = ((ParseResult.Help) result).usage();
    for (String flag :
        List.of(
            "--port",
            "--served-model-name",
            "--startup-duration",
            "--time-to-first-token",
            "--inter-token-latency",
            "--max-num-seqs",
            "--max-waiting-queue-length",
            "--failure-injection-rate",
            "--crash-after-requests",
            "--family",
            "--seed",
            "--embedding-dimensions",
            "--drain-timeout")) {
      assertThat(usage).contains(flag);
    }
  }

  @Test
  void durationsFormatBackToFlagSyntax() {
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0");
    assertThat(Durations.format(Duration.ofSeconds(30))).isEqualTo("30s");
    assertThat(Durations.format(Duration.ofMillis(50))).isEqualTo("50ms");
  }
}
