package bench;

/** The two request shapes of the warm path: chat completions, non-stream and stream. */
enum Mode {
  CHAT("chat", false),
  STREAM("stream", true);
  final String label;
  final boolean stream;

  Mode(String label, boolean stream) {
    this.label = label;
    this.stream = stream;
  }
}
