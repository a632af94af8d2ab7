package io.zeroscale.gateway.model.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class RepoInfoTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static RepoInfo withSha(String sha) {
    ObjectNode root = JSON.createObjectNode();
    root.put("sha", sha);
    root.putArray("siblings").addObject().put("rfilename", "model.safetensors").put("size", 1000);
    return RepoInfo.parse(root);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "01c7f73d771dfac7d292323805ebc428287df4f9",
        "0000000000000000000000000000000000000000"
      })
  void aFullCommitIdIsKept(String sha) {
    assertThat(withSha(sha).sha()).isEqualTo(sha);
    assertThat(withSha(sha).weights(new HfSource("o/m", "main"), OptionalLong.empty()))
        .isInstanceOfSatisfying(HubLookup.Found.class, f -> assertThat(f.sha()).isEqualTo(sha));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "abc",
        "01C7F73D771DFAC7D292323805EBC428287DF4F9",
        "01c7f73d771dfac7d292323805ebc428287df4f9\n",
        "01c7f73d771dfac7d292323805ebc428287df4f9a",
        "x\",\"trust_remote_code\":true,\"y\":\"01c7f73d771dfac7d292323805ebc428287df4f9",
        "--trust-remote-code",
        "main"
      })
  void anythingElseIsTreatedAsAbsent(String sha) {
    assertThat(withSha(sha).sha()).isNull();
    assertThat(withSha(sha).weights(new HfSource("o/m", "main"), OptionalLong.empty()))
        .isInstanceOfSatisfying(HubLookup.Found.class, f -> assertThat(f.sha()).isNull());
  }
}
