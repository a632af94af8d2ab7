package io.zeroscale.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class InvalidTargetHandlerTest {

  private final EmbeddedChannel channel = new EmbeddedChannel(new InvalidTargetHandler());

  private static HttpRequest request(HttpMethod method, String target) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, target);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v1/%zz/models",
        "/v1/%4",
        "/v1/models?x=%zz",
        "/v1/a\u0001b",
        "http://gateway/v1/%zz"
      })
  void aTargetSpringCannotParseGetsTheOpenAiShaped400AndTheConnectionCloses(String target) {
    channel.writeInbound(request(HttpMethod.GET, target));
    assertThat((Object) channel.readInbound()).as("not passed on").isNull();
    FullHttpResponse response = channel.readOutbound();
    assertThat(response.status().code()).isEqualTo(400);
    assertThat(response.headers().get("content-type")).isEqualTo("application/json");
    JsonNode error =
        JsonMapper.builder()
            .build()
            .readTree(response.content().toString(StandardCharsets.UTF_8))
            .get("error");
    assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
    assertThat(error.get("code").asString()).isEqualTo("invalid_path");
    assertThat(error.get("param").isNull()).isTrue();
    assertThat(error.get("message").asString()).startsWith("Invalid request target");
    response.release();
    assertThat(channel.isOpen()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v1/chat/completions",
        "/v1/models/demo/chat",
        "/admin;x/v1/tenants",
        "/%61dmin/v1/tenants",
        "/v1/%ff",
        "/v1/models?limit=10&after=a%20b",
        "http://gateway:8080/v1/models"
      })
  void aParsableTargetPassesUntouched(String target) {
    HttpRequest request = request(HttpMethod.GET, target);
    channel.writeInbound(request);
    assertThat((Object) channel.readInbound()).isSameAs(request);
    assertThat((Object) channel.readOutbound()).isNull();
  }

  @Test
  void theBodyOfARefusedRequestIsDroppedAndReleased() {
    ByteBuf first = Unpooled.copiedBuffer("{\"model\":", StandardCharsets.UTF_8);
    ByteBuf last = Unpooled.copiedBuffer("\"x\"}", StandardCharsets.UTF_8);
    // Decoded from one read, as Netty hands them on: the connection closes after the answer.
    channel.writeInbound(
        request(HttpMethod.POST, "/v1/%zz"),
        new DefaultHttpContent(first),
        new DefaultLastHttpContent(last));
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(first.refCnt()).isZero();
    assertThat(last.refCnt()).isZero();
    ((FullHttpResponse) channel.readOutbound()).release();
  }

  @Test
  void validTargetMatchesWhatSpringParses() {
    assertThat(InvalidTargetHandler.validTarget("/v1/models")).isTrue();
    assertThat(InvalidTargetHandler.validTarget("/v1/%zz")).isFalse();
    assertThat(InvalidTargetHandler.validTarget("https://h:1")).as("no path").isTrue();
  }
}
