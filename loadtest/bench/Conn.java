package bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client on a blocking socket: one keep-alive connection, timestamps taken the
 * instant the bytes are read, SSE events stamped by {@link Sse}.
 */
final class Conn implements AutoCloseable {
  final Socket socket;
  final InputStream in;
  final OutputStream out;

  Conn(String host, int port, int timeoutMs) throws IOException {
    this(host, port, timeoutMs, 5000);
  }

  Conn(String host, int port, int timeoutMs, int connectTimeoutMs) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), connectTimeoutMs);
    socket.setSoTimeout(timeoutMs);
    in = new BufferedInputStream(socket.getInputStream(), 16384);
    out = socket.getOutputStream();
  }

  Exchange exchange(byte[] request, boolean sse) throws IOException {
    return exchange(request, sse, null);
  }

  Exchange exchange(byte[] request, boolean sse, Runnable afterSend) throws IOException {
    Exchange ex = new Exchange();
    ex.startNs = System.nanoTime();
    out.write(request);
    out.flush();
    if (afterSend != null) {
      afterSend.run();
    }
    String statusLine = line();
    ex.firstByteNs = System.nanoTime();
    if (statusLine == null) {
      throw new IOException("connection closed before the status line");
    }
    ex.status = Integer.parseInt(statusLine.split(" ")[1]);
    readHeaders(ex);
    String contentLength = ex.headers.get("content-length");
    long length = contentLength == null ? -1 : Long.parseLong(contentLength);
    String encoding = ex.headers.get("transfer-encoding");
    Sse parser = sse && ex.status == 200 ? new Sse(ex) : null;
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      readChunks(parser);
    } else if (length >= 0) {
      readBody(length, parser);
    } else {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) > 0; ) {
        if (parser != null) {
          parser.feed(Arrays.copyOf(buf, n));
        }
      }
      ex.close = true;
    }
    ex.endNs = System.nanoTime();
    return ex;
  }

  /** Header names lower-cased; the last of a repeated header wins. */
  private void readHeaders(Exchange ex) throws IOException {
    for (String h = line(); h != null && !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim();
      ex.headers.put(name, value);
      if (name.equals("connection")) {
        ex.close = value.equalsIgnoreCase("close");
      }
    }
  }

  private void readChunks(Sse parser) throws IOException {
    while (true) {
      String sizeLine = line();
      if (sizeLine == null) {
        throw new IOException("connection closed inside a chunked body");
      }
      int semi = sizeLine.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      if (size == 0) {
        while (true) {
          String trailer = line();
          if (trailer == null || trailer.isEmpty()) {
            break;
          }
        }
        return;
      }
      byte[] chunk = in.readNBytes(size);
      if (chunk.length < size) {
        throw new IOException("connection closed inside a chunk");
      }
      if (parser != null) {
        parser.feed(chunk);
      }
      line(); // CRLF after the chunk
    }
  }

  private void readBody(long length, Sse parser) throws IOException {
    byte[] body = in.readNBytes((int) length);
    if (body.length < length) {
      throw new IOException("connection closed inside the body");
    }
    if (parser != null) {
      parser.feed(body);
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(64);
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int n = b.size();
        byte[] a = b.toByteArray();
        return new String(a, 0, n > 0 && a[n - 1] == '\r' ? n - 1 : n, StandardCharsets.US_ASCII);
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
