package bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** SSE lines: every complete {@code data:} line is an event, stamped when its bytes arrived. */
final class Sse {
  final Exchange ex;
  final ByteArrayOutputStream line = new ByteArrayOutputStream(512);

  Sse(Exchange ex) {
    this.ex = ex;
  }

  void feed(byte[] bytes) {
    long now = System.nanoTime();
    for (byte b : bytes) {
      if (b == '\n') {
        String l = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (l.startsWith("data:")) {
          if (l.substring(5).trim().equals("[DONE]")) {
            ex.done = true;
          } else {
            ex.events.add(now);
          }
        }
      } else if (b != '\r') {
        line.write(b);
      }
    }
  }
}
