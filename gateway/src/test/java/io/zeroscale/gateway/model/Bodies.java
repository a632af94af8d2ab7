package io.zeroscale.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.web.JsonBody;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import tools.jackson.databind.json.JsonMapper;

/** Test helpers: JSON bodies and the assertion that a call answers a 422 on a field. */
public final class Bodies {

  public static final JsonMapper JSON = JsonMapper.builder().build();

  private Bodies() {}

  /** A body from JSON written with single quotes, for readable tables. */
  public static JsonBody body(String singleQuoted) {
    return JsonBody.parse(json(singleQuoted));
  }

  public static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  /** The call fails with {@code status} on {@code param}, its message containing each part. */
  public static void assertError(
      ThrowingCallable call, int status, String param, String... messageParts) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ZeroscaleException.class,
            e -> {
              assertThat(e.error().status()).as(e.error().message()).isEqualTo(status);
              assertThat(e.error().param()).as(e.error().message()).isEqualTo(param);
              assertThat(e.error().message()).contains(messageParts);
            });
  }
}
