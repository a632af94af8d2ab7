package io.zeroscale.sim.generate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A minimal PNG encoder (8-bit RGB, no interlace) for small deterministic images. Written by hand
 * rather than with ImageIO so that no AWT class loads on the event loop.
 */
public final class Png {

  /** Generated images are this many pixels square, whatever size was asked for. */
  public static final int SIDE = 8;

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private Png() {}

  /** An 8×8 image of 2×2 colour blocks, all chosen by {@code seed}. */
  public static byte[] pattern(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int blocks = SIDE / 2;
    int[] colours = new int[blocks * blocks];
    for (int i = 0; i < colours.length; i++) {
      colours[i] = random.nextInt(1 << 24);
    }
    int[] rgb = new int[SIDE * SIDE];
    for (int y = 0; y < SIDE; y++) {
      for (int x = 0; x < SIDE; x++) {
        rgb[y * SIDE + x] = colours[(y / 2) * blocks + x / 2];
      }
    }
    return encode(SIDE, SIDE, rgb);
  }

  /** Encodes {@code rgb} (0xRRGGBB, row-major) as a PNG file. */
  public static byte[] encode(int width, int height, int[] rgb) {
    if (width < 1 || height < 1 || rgb.length != width * height) {
      throw new IllegalArgumentException("bad image " + width + "x" + height);
    }
    // Each scanline: filter type 0 (None), then R, G, B per pixel.
    byte[] raw = new byte[height * (1 + width * 3)];
    int p = 0;
    for (int y = 0; y < height; y++) {
      raw[p++] = 0;
      for (int x = 0; x < width; x++) {
        int c = rgb[y * width + x];
        raw[p++] = (byte) (c >>> 16);
        raw[p++] = (byte) (c >>> 8);
        raw[p++] = (byte) c;
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + 64);
    out.writeBytes(SIGNATURE);
    byte[] header = new byte[13];
    putInt(header, 0, width);
    putInt(header, 4, height);
    header[8] = 8; // bit depth
    header[9] = 2; // colour type: truecolour
    // compression 0 (deflate), filter 0, interlace 0 (none): already zero.
    chunk(out, "IHDR", header);
    chunk(out, "IDAT", zlib(raw));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static byte[] zlib(byte[] data) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION); // zlib wrapper, as PNG requires
    try {
      deflater.setInput(data);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[256];
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    byte[] length = new byte[4];
    putInt(length, 0, data.length);
    out.writeBytes(length);
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    byte[] crcBytes = new byte[4];
    putInt(crcBytes, 0, (int) crc.getValue());
    out.writeBytes(crcBytes);
  }

  private static void putInt(byte[] target, int offset, int value) {
    target[offset] = (byte) (value >>> 24);
    target[offset + 1] = (byte) (value >>> 16);
    target[offset + 2] = (byte) (value >>> 8);
    target[offset + 3] = (byte) value;
  }
}
