package io.zeroscale.sim.openai;

import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code GET /v1/models}, in vLLM's shape (one entry per served name). */
public final class Models {

  private Models() {}

  public static byte[] list(List<String> servedNames, long created, int maxModelLen) {
    ObjectNode root = Json.object();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    for (String name : servedNames) {
      ObjectNode model = data.addObject();
      model.put("id", name);
      model.put("object", "model");
      model.put("created", created);
      model.put("owned_by", "vllm");
      model.put("root", name);
      model.putNull("parent");
      model.put("max_model_len", maxModelLen);
    }
    return Json.bytes(root);
  }
}
