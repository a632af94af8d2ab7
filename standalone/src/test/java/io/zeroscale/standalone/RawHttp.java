package io.zeroscale.standalone;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Bytes on a socket, for what no HTTP client will send: malformed requests, trickled bodies, held
 * connections. Every read has a timeout, so a test can never hang on a silent server.
 */
final class RawHttp implements AutoCloseable {

  final Socket socket;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();

  RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(60_000);
  }

  /** Sends raw bytes (ISO-8859-1). */
  RawHttp send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  RawHttp send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return this;
  }

  /** Everything until the server closes the connection (or 60 s pass: then the test fails). */
  String readToClose() throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        received.write(buf, 0, n);
      }
    } catch (SocketException reset) {
      // closed by the server: what arrived is the answer
    }
    return received();
  }

  /** Whatever arrives within {@code waitMs}; "" when nothing did (the connection stays open). */
  String poll(int waitMs) throws IOException {
    socket.setSoTimeout(waitMs);
    try {
      byte[] buf = new byte[8192];
      int n = socket.getInputStream().read(buf);
      if (n > 0) {
        received.write(buf, 0, n);
      }
    } catch (SocketTimeoutException quiet) {
      // nothing yet
    } catch (SocketException reset) {
      // closed
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(60_000);
      }
    }
    return received();
  }

  String received() {
    return received.toString(StandardCharsets.UTF_8);
  }

  /** The status code of the answer received so far, or -1. */
  int status() {
    String r = received();
    return r.startsWith("HTTP/1.1 ") && r.length() >= 12
        ? Integer.parseInt(r.substring(9, 12))
        : -1;
  }

  /** The answer's body (after the blank line), de-chunked naively when it is one chunk. */
  String body() {
    String r = received();
    int at = r.indexOf("\r\n\r\n");
    if (at < 0) {
      return "";
    }
    String body = r.substring(at + 4);
    if (r.substring(0, at).toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
      int eol = body.indexOf("\r\n");
      int size = eol > 0 ? Integer.parseInt(body.substring(0, eol).trim(), 16) : 0;
      return body.substring(eol + 2, Math.min(body.length(), eol + 2 + size));
    }
    return body;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
