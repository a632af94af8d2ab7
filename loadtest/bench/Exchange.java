package bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One HTTP/1.1 exchange on a {@link Conn}: status, headers, and when its bytes arrived. */
final class Exchange {
  int status;
  long startNs;
  long firstByteNs;
  long endNs;
  boolean close;
  boolean done;
  final List<Long> events = new ArrayList<>();
  final Map<String, String> headers = new HashMap<>();
}
