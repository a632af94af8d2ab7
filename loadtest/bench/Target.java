package bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Where requests go: the simulator directly, or the gateway with its key. */
record Target(String name, String host, int port, String key) {
  byte[] request(String model, boolean stream, int maxTokens, String prompt) {
    String body =
        "{\"model\":\""
            + model
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + prompt
            + "\"}],\"max_tokens\":"
            + maxTokens
            + (stream ? ",\"stream\":true" : "")
            + "}";
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /v1/chat/completions HTTP/1.1\r\nHost: "
            + host
            + ":"
            + port
            + "\r\nContent-Type: application/json\r\nAccept: "
            + (stream ? "text/event-stream" : "application/json")
            + "\r\n"
            + (key == null ? "" : "Authorization: Bearer " + key + "\r\n")
            + "Content-Length: "
            + b.length
            + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(h, h.length + b.length);
    System.arraycopy(b, 0, all, h.length, b.length);
    return all;
  }
}
