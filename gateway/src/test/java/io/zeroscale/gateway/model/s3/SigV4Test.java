package io.zeroscale.gateway.model.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link SigV4} against AWS's published vectors: the Signature Version 4 test suite ({@code
 * get-vanilla}, {@code get-vanilla-query-order-key-case}; credentials {@code AKIDEXAMPLE}, service
 * {@code service}, 2015-08-30T12:36:00Z) and the S3 API reference's "Signature Calculations for the
 * Authorization Header" examples (GET Object with a range, ListObjects; credentials {@code
 * AKIAIOSFODNN7EXAMPLE}, 2013-05-24).
 */
class SigV4Test {

  private static final String SUITE_KEY = "AKIDEXAMPLE";
  private static final String SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  private static final String S3_KEY = "AKIAIOSFODNN7EXAMPLE";
  private static final String S3_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  @Test
  void amzDateIsBasicIso8601InUtc() {
    assertThat(SigV4.amzDate(Instant.parse("2015-08-30T12:36:00Z"))).isEqualTo("20150830T123600Z");
  }

  @Test
  void suiteGetVanilla() {
    var request =
        new SigV4.Request(
            "GET",
            "/",
            Map.of(),
            Map.of("Host", "example.amazonaws.com", "X-Amz-Date", "20150830T123600Z"),
            SigV4.EMPTY_SHA256);
    assertThat(
            SigV4.authorization(
                request, SUITE_KEY, SUITE_SECRET, "us-east-1", "service", "20150830T123600Z"))
        .isEqualTo(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
                + " SignedHeaders=host;x-amz-date,"
                + " Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  }

  @Test
  void suiteGetVanillaQueryOrderKeyCase() {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("Param2", "value2");
    query.put("Param1", "value1");
    var request =
        new SigV4.Request(
            "GET",
            "/",
            query,
            Map.of("Host", "example.amazonaws.com", "X-Amz-Date", "20150830T123600Z"),
            SigV4.EMPTY_SHA256);
    assertThat(
            SigV4.authorization(
                request, SUITE_KEY, SUITE_SECRET, "us-east-1", "service", "20150830T123600Z"))
        .endsWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
    assertThat(SigV4.canonicalQuery(query)).isEqualTo("Param1=value1&Param2=value2");
  }

  @Test
  void s3GetObjectExample() {
    var request =
        new SigV4.Request(
            "GET",
            "/test.txt",
            Map.of(),
            Map.of(
                "Host", "examplebucket.s3.amazonaws.com",
                "Range", "bytes=0-9",
                "x-amz-content-sha256", SigV4.EMPTY_SHA256,
                "x-amz-date", "20130524T000000Z"),
            SigV4.EMPTY_SHA256);
    assertThat(SigV4.sha256Hex(SigV4.canonicalRequest(request)))
        .as("the canonical request's hash the example shows")
        .isEqualTo("7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
    assertThat(
            SigV4.authorization(request, S3_KEY, S3_SECRET, "us-east-1", "s3", "20130524T000000Z"))
        .isEqualTo(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + " SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + " Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  }

  @Test
  void s3ListObjectsExample() {
    var request =
        new SigV4.Request(
            "GET",
            "/",
            Map.of("max-keys", "2", "prefix", "J"),
            Map.of(
                "Host", "examplebucket.s3.amazonaws.com",
                "x-amz-content-sha256", SigV4.EMPTY_SHA256,
                "x-amz-date", "20130524T000000Z"),
            SigV4.EMPTY_SHA256);
    assertThat(
            SigV4.authorization(request, S3_KEY, S3_SECRET, "us-east-1", "s3", "20130524T000000Z"))
        .endsWith("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
  }

  @Test
  void encodingKeepsUnreservedAndSlashesInPathsOnly() {
    assertThat(SigV4.encode("a b/ü~._-!", false)).isEqualTo("a%20b/%C3%BC~._-%21");
    assertThat(SigV4.encode("a/b=c", true)).isEqualTo("a%2Fb%3Dc");
    assertThat(SigV4.encodePath("")).isEqualTo("/");
  }
}
