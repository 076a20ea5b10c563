import { join } from "node:path";
import sharp from "sharp";
import { type Recipe, run } from "./make.ts";

/** A small picture with some detail, so every encoder writes real image data. */
function picture(): sharp.Sharp {
  const width = 48;
  const height = 32;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    pixels[i * 3] = (i * 7) & 0xff;
    pixels[i * 3 + 1] = (i * 13) & 0xff;
    pixels[i * 3 + 2] = (i % width) * 5;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } });
}

function write(name: string, encode: (image: sharp.Sharp) => sharp.Sharp): (dir: string) => Promise<void> {
  return async (dir) => {
    await encode(picture()).toFile(join(dir, name));
  };
}

/** sharp (libvips 8.17 with libtiff, libspng, mozjpeg, libwebp, cgif, libheif + aom). */
export const IMAGES: Recipe[] = [
  {
    name: "picture.tif",
    tool: "sharp .tiff()",
    expected: "fmt/353",
    why: "V119 fmt/353 'Tagged Image File Format': 'II*\\0' (or 'MM\\0*') at BOF; the versioned TIFF PUIDs fmt/7–fmt/10 have no signature and TIFF/EP, GeoTIFF need their own tags, which libtiff does not write here",
    make: write("picture.tif", (image) => image.tiff()),
  },
  {
    name: "picture.png",
    tool: "sharp .png() (no metadata)",
    expected: "fmt/11",
    why: "V119 fmt/11 'Portable Network Graphics 1.0': PNG signature + IHDR at BOF and IEND at EOF; fmt/12 (1.1) needs an iCCP, sPLT or sRGB chunk and fmt/13 (1.2) an iTXt chunk, and sharp writes none of them without metadata",
    make: write("picture.png", (image) => image.png()),
  },
  {
    name: "picture-icc.png",
    tool: "sharp .png().withIccProfile('srgb')",
    expected: "fmt/12",
    why: "V119 fmt/12 'Portable Network Graphics 1.1': as fmt/11 plus an iCCP chunk anywhere after IHDR (signature 183); fmt/12 has priority over fmt/11",
    make: write("picture-icc.png", (image) => image.withIccProfile("srgb").png()),
  },
  {
    name: "picture.jpg",
    tool: "sharp .jpeg() (mozjpeg)",
    expected: "fmt/41",
    why: "V119 fmt/41 'Raw JPEG Stream': FF D8 FF at BOF and FF D9 near EOF. sharp's mozjpeg writes no JFIF APP0 segment (the file starts FF D8 FF DB, a quantisation table), and the JFIF PUIDs fmt/42–44 require FF D8 FF E0 'JFIF'",
    make: write("picture.jpg", (image) => image.jpeg({ quality: 80 })),
  },
  {
    name: "picture.webp",
    tool: "sharp .webp() (lossy)",
    expected: "fmt/566",
    why: "V119 fmt/566 'WebP Lossy': 'RIFF' .... 'WEBPVP8 ' (a simple lossy bitstream); fmt/567 is 'VP8L' (lossless), fmt/568 'VP8X' (extended)",
    make: write("picture.webp", (image) => image.webp({ quality: 70 })),
  },
  {
    name: "picture-lossless.webp",
    tool: "sharp .webp({ lossless: true })",
    expected: "fmt/567",
    why: "V119 fmt/567 'WebP Lossless': 'RIFF' .... 'WEBPVP8L'",
    make: write("picture-lossless.webp", (image) => image.webp({ lossless: true })),
  },
  {
    name: "picture.gif",
    tool: "sharp .gif() (cgif)",
    expected: "fmt/4",
    why: "V119 fmt/4 'Graphics Interchange Format 89a': 'GIF89a' at BOF and the trailer 3B at EOF",
    make: write("picture.gif", (image) => image.gif()),
  },
  {
    name: "picture.avif",
    tool: "sharp .avif() (libheif + aom)",
    expected: "none",
    why: "V119 has no AVIF format; fmt/1101 'High Efficiency Image File Format' needs 'ftyp' followed by the major brand heic/heix/hevc/hevx/mif1/msf1, and libheif writes major brand 'avif' — so PRONOM V119 leaves an AVIF file unidentified (no extension .avif either)",
    make: write("picture.avif", (image) => image.avif()),
  },
  {
    name: "picture.heic",
    tool: "heif-enc (Debian libheif-examples, x265)",
    expected: "fmt/1101",
    why: "V119 fmt/1101 'High Efficiency Image File Format': 'ftyp' at offset 4 followed by the major brand 'heic' (one of heic/heix/hevc/hevx/mif1/msf1); heif-enc writes 'ftypheic' for HEVC-coded images",
    make: async (dir) => {
      const source = join(dir, "picture.heic.source.png");
      await picture().png().toFile(source);
      await run("heif-enc", ["-q", "50", "-o", join(dir, "picture.heic"), source], dir);
    },
  },
];
