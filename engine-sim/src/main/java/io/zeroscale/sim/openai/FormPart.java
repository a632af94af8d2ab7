package io.zeroscale.sim.openai;

/**
 * One multipart/form-data part, copied out of Netty's buffers.
 *
 * @param name the field name
 * @param filename the file name for file parts, null for plain fields
 * @param content the raw bytes (UTF-8 text for plain fields)
 */
public record FormPart(String name, String filename, byte[] content) {

  public boolean isFile() {
    return filename != null;
  }

  public String text() {
    return new String(content, java.nio.charset.StandardCharsets.UTF_8);
  }
}
