package io.zeroscale.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.api.Family;
import io.zeroscale.api.redis.S3Access;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.model.s3.S3Source;
import io.zeroscale.gateway.web.JsonBody;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v1/models} with an {@code s3://} source (issue #20). */
class S3ModelRequestsTest {

  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  private static ModelService.ImportRequest parse(String json) {
    return ModelRequests.importRequest(JsonBody.parse(json.replace('\'', '"')));
  }

  private static ZeroscaleException refused(String json) {
    try {
      parse(json);
    } catch (ZeroscaleException e) {
      return e;
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void anS3SourceWithEndpointAndCredentials() {
    ModelService.ImportRequest r =
        parse(
            "{'source':'s3://acme-models/llama/7b','endpoint':'https://minio.example.com/',"
                + "'family':'llm','s3_credentials':{'access_key_id':'AKIAEXAMPLE',"
                + "'secret_access_key':'"
                + SECRET
                + "','session_token':'tok','region':'eu-west-1'}}");
    assertThat(r.name()).as("the prefix's last segment").isEqualTo("7b");
    assertThat(r.source()).isNull();
    assertThat(r.family()).isEqualTo(Family.LLM);
    assertThat(r.uri()).isEqualTo("s3://acme-models/llama/7b");
    assertThat(r.s3().access())
        .isEqualTo(
            new S3Access("https://minio.example.com", "eu-west-1", "AKIAEXAMPLE", SECRET, "tok"));
    assertThat(r.toString()).doesNotContain(SECRET).doesNotContain("AKIAEXAMPLE");
  }

  @Test
  void anonymousOnAwsByDefault() {
    ModelService.ImportRequest r = parse("{'name':'pub','source':'s3://public-models/gpt2'}");
    assertThat(r.s3().access()).isEqualTo(S3Access.ANONYMOUS);
    assertThat(r.name()).isEqualTo("pub");
  }

  @Test
  void refusalsNameTheFieldAndNeverEchoACredential() {
    record Case(String body, String param) {}
    for (Case c :
        new Case[] {
          new Case("{'source':'s3://bucket'}", "source"),
          new Case("{'source':'s3://Bad_Bucket/x'}", "source"),
          new Case("{'source':'s3://bucket/x','endpoint':'ftp://h'}", "endpoint"),
          new Case("{'source':'s3://bucket/x','endpoint':'http://k:SECRETPART@h'}", "endpoint"),
          new Case("{'source':'s3://bucket/x','hf_token':'hf_SECRETPART'}", "hf_token"),
          new Case("{'source':'hf://a/b','endpoint':'http://h'}", "endpoint"),
          new Case("{'source':'hf://a/b','s3_credentials':{}}", "s3_credentials"),
          new Case(
              "{'source':'s3://bucket/x','s3_credentials':{'access_key_id':'A'}}",
              "s3_credentials.secret_access_key"),
          new Case(
              "{'source':'s3://bucket/x','s3_credentials':{'secret_access_key':'SECRETPART'}}",
              "s3_credentials.access_key_id"),
          new Case(
              "{'source':'s3://bucket/x','s3_credentials':{'access_key_id':'A',"
                  + "'secret_access_key':'has SECRETPART space'}}",
              "s3_credentials.secret_access_key"),
          new Case(
              "{'source':'s3://bucket/x','s3_credentials':{'access_key_id':'A',"
                  + "'secret_access_key':'"
                  + "S".repeat(5000)
                  + "'}}",
              "s3_credentials.secret_access_key"),
          new Case(
              "{'source':'s3://bucket/x','s3_credentials':{'region':'EU WEST'}}",
              "s3_credentials.region"),
          new Case(
              "{'source':'s3://bucket/x','s3_credentials':{'password':'SECRETPART'}}",
              "s3_credentials.password"),
          new Case("{'source':'s3://bucket/x','s3_credentials':'SECRETPART'}", "s3_credentials"),
        }) {
      ZeroscaleException e = refused(c.body());
      assertThat(e.error().status()).as(c.body()).isEqualTo(422);
      assertThat(e.error().param()).as(c.body()).isEqualTo(c.param());
      assertThat(e.error().message()).as(c.body()).doesNotContain("SECRETPART");
    }
  }

  @Test
  void theS3FieldsOfALibraryModelCannotBeChanged() {
    for (String f : new String[] {"endpoint", "s3_credentials"}) {
      assertThatThrownBy(
              () -> ModelRequests.rename(JsonBody.parse("{\"name\":\"n\",\"" + f + "\":\"x\"}")))
          .isInstanceOf(ZeroscaleException.class)
          .hasMessageContaining(f);
    }
  }

  @Test
  void inlineNamesPreferTheDeploymentsThenThePrefixsThenSuffixes() {
    assertThat(S3Models.inlineNames("chat", S3Source.parse("s3://models/llama/7b")))
        .startsWith("chat", "7b", "chat-2")
        .hasSize(10);
    assertThat(S3Models.inlineNames("chat", S3Source.parse("s3://models/x/(weird)")))
        .as("an invalid prefix name is skipped")
        .startsWith("chat", "chat-2");
  }
}
