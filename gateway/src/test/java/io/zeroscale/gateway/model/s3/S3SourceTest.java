package io.zeroscale.gateway.model.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class S3SourceTest {

  @Test
  void parsesBucketAndPrefix() {
    S3Source s = S3Source.parse(" s3://acme-models/llama/7b/ ");
    assertThat(s.bucket()).isEqualTo("acme-models");
    assertThat(s.prefix()).isEqualTo("llama/7b");
    assertThat(s.uri()).isEqualTo("s3://acme-models/llama/7b");
    assertThat(s.key("config.json")).isEqualTo("llama/7b/config.json");
    assertThat(s.lastSegment()).isEqualTo("7b");
    assertThat(S3Source.isS3("S3://b/p")).isTrue();
    assertThat(S3Source.isS3("hf://a/b")).isFalse();
  }

  @Test
  void refusesWhatIsNotABucketAndPrefix() {
    for (String bad :
        new String[] {
          "s3://",
          "s3://bucket-only",
          "s3://Upper/x",
          "s3://ab/x",
          "s3://a..b/x",
          "s3://192.168.1.1/x",
          "s3://-bucket/x",
          "s3://bucket/-rf",
          "s3://bucket/a//b",
          "s3://bucket/a/../b",
          "s3://bucket/a/./b",
          "s3://bucket/a b",
          "s3://bucket/a@b",
          "s3://bucket/a%2Fb",
          "s3://bucket/" + "x".repeat(S3Source.MAX_PREFIX_CHARS + 1),
          "s3://bucket/a\u202eb",
          "hf://owner/name"
        }) {
      assertThatThrownBy(() -> S3Source.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("s3://");
    }
  }

  @Test
  void errorsEchoABoundedValue() {
    String huge = "s3://bucket/" + "y".repeat(100_000) + " ";
    assertThatThrownBy(() -> S3Source.parse(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(300));
  }

  @Test
  void endpointsAreHttpUrlsWithoutCredentialsQueryOrFragment() {
    assertThat(S3Source.endpoint("HTTP://MinIO.local:9000/").toString())
        .isEqualTo("http://minio.local:9000");
    assertThat(S3Source.endpoint("https://s3.example.com/base/").toString())
        .isEqualTo("https://s3.example.com/base");
    assertThat(S3Source.endpoint("http://[::1]:9000").toString()).isEqualTo("http://[::1]:9000");
    for (String bad :
        new String[] {
          "",
          "ftp://store",
          "file:///etc/passwd",
          "//store",
          "http://user:pass@store",
          "https://AKIA:secret@store/",
          "https://store/?X-Amz-Credential=a",
          "https://store/#f",
          "https://store/" + "p".repeat(600),
          "not a url"
        }) {
      assertThatThrownBy(() -> S3Source.endpoint(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .satisfies(
              e -> assertThat(e.getMessage()).doesNotContain("pass").doesNotContain("secret"));
    }
  }
}
