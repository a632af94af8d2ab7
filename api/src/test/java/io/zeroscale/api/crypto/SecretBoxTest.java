package io.zeroscale.api.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretBoxTest {

  private static final byte[] KEY = new byte[32];
  private static final byte[] OTHER_KEY = new byte[32];

  static {
    Arrays.fill(KEY, (byte) 7);
    Arrays.fill(OTHER_KEY, (byte) 9);
  }

  private final SecretBox box = new SecretBox(KEY, new SecureRandom());

  @Test
  void roundTripsAndStoresNonceCiphertextAndTag() {
    byte[] sealed = box.seal("hf_abcdefTOKEN", "models.hf_token_enc:1");
    assertThat(sealed).hasSize(12 + "hf_abcdefTOKEN".length() + 16);
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("hf_abcdef");
    assertThat(box.open(sealed, "models.hf_token_enc:1")).isEqualTo("hf_abcdefTOKEN");
  }

  @Test
  void everySealDrawsAFreshNonceSoCiphertextsDiffer() {
    byte[] a = box.seal("same token", "ctx");
    byte[] b = box.seal("same token", "ctx");
    assertThat(a).isNotEqualTo(b);
    assertThat(Arrays.copyOf(a, 12)).isNotEqualTo(Arrays.copyOf(b, 12));
    assertThat(box.open(a, "ctx")).isEqualTo(box.open(b, "ctx"));
  }

  @Test
  void refusesAnotherContextAnotherKeyAndTamperedBytes() {
    byte[] sealed = box.seal("hf_plaintext", "models.hf_token_enc:A");
    assertThatThrownBy(() -> box.open(sealed, "models.hf_token_enc:B"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not open")
        .hasMessageNotContaining("hf_plaintext");
    SecretBox other = new SecretBox(OTHER_KEY, new SecureRandom());
    assertThatThrownBy(() -> other.open(sealed, "models.hf_token_enc:A"))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] tampered = sealed.clone();
    tampered[14] ^= 1;
    assertThatThrownBy(() -> box.open(tampered, "models.hf_token_enc:A"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> box.open(new byte[10], "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too short");
  }

  @Test
  void needsA256BitKey() {
    assertThatThrownBy(() -> new SecretBox(new byte[16], new SecureRandom()))
        .hasMessageContaining("32 bytes");
  }

  @Test
  void decodesTheKeySettingWithoutEchoingIt() {
    String good = Base64.getEncoder().encodeToString(KEY);
    assertThat(SecretBox.decodeKey(good)).isEqualTo(KEY);
    assertThatThrownBy(() -> SecretBox.decodeKey(null))
        .hasMessageContaining("zeroscale.secrets.key is required");
    assertThatThrownBy(() -> SecretBox.decodeKey("not base64 !!"))
        .hasMessageContaining("not valid base64")
        .hasMessageNotContaining("not base64 !!");
    String short16 = Base64.getEncoder().encodeToString(new byte[16]);
    assertThatThrownBy(() -> SecretBox.decodeKey(short16))
        .hasMessageContaining("must decode to 32 bytes")
        .hasMessageContaining("got 16")
        .hasMessageNotContaining(short16);
  }
}
