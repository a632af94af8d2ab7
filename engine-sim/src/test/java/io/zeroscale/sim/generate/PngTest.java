package io.zeroscale.sim.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngTest {

  @Test
  void patternsDecodeAsPngWithTheEncodedPixels() throws IOException {
    byte[] png = Png.pattern(5);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isEqualTo(Png.SIDE);
    assertThat(image.getHeight()).isEqualTo(Png.SIDE);
    // 2×2 blocks: a pixel equals its block neighbour.
    assertThat(image.getRGB(0, 0)).isEqualTo(image.getRGB(1, 1));
    assertThat(png.length).isLessThan(512);
  }

  @Test
  void encodesExactColours() throws IOException {
    int[] rgb = {0xff0000, 0x00ff00, 0x0000ff, 0x123456};
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(Png.encode(2, 2, rgb)));
    assertThat(image.getRGB(0, 0) & 0xffffff).isEqualTo(0xff0000);
    assertThat(image.getRGB(1, 0) & 0xffffff).isEqualTo(0x00ff00);
    assertThat(image.getRGB(0, 1) & 0xffffff).isEqualTo(0x0000ff);
    assertThat(image.getRGB(1, 1) & 0xffffff).isEqualTo(0x123456);
  }

  @Test
  void patternsAreDeterministicPerSeed() {
    assertThat(Png.pattern(1)).isEqualTo(Png.pattern(1)).isNotEqualTo(Png.pattern(2));
  }
}
