import { type BuiltinFormat, bof, eof } from "./shape.ts";

const PNG = "89504E470D0A1A0A0000000D49484452";
const IEND = "0000000049454E44AE426082";
const FFD9 = eof("FFD9", 0, 65536);
const jfif = (minor: string) => [bof(`FFD8FFE0{2}4A4649460001${minor}(00|01|02)`), FFD9];
const bmp = (header: string, compression: string) =>
  `424D{4}00000000{4}${header}{8}0100(01|04|08|10|18|20)00(${compression})000000`;
const svgHead = "'<?xml version=\"1.0\"'";

export const IMAGES: BuiltinFormat[] = [
  {
    puid: "fmt/11", name: "Portable Network Graphics", version: "1.0", mime: "image/png", extensions: ["png"],
    signatures: [[bof(PNG), eof(IEND, 0, 4)]],
  },
  {
    puid: "fmt/12", name: "Portable Network Graphics", version: "1.1", mime: "image/png", extensions: ["png"],
    signatures: ["69434350", "73504C54", "73524742"].map((chunk) => [bof(PNG, 0, 0, chunk), eof(IEND)]),
    priorityOver: ["fmt/11"],
  },
  {
    puid: "fmt/13", name: "Portable Network Graphics", version: "1.2", mime: "image/png", extensions: ["png"],
    signatures: [[bof(PNG, 0, 0, "69545874"), eof(IEND)]],
    priorityOver: ["fmt/11", "fmt/12"],
  },
  {
    puid: "fmt/41", name: "Raw JPEG Stream", mime: "image/jpeg", extensions: ["jpg", "jpeg", "jpe", "jfif"],
    signatures: [[bof("FFD8FF"), FFD9]],
  },
  {
    puid: "fmt/42", name: "JPEG File Interchange Format", version: "1.00", mime: "image/jpeg",
    extensions: ["jpg", "jpeg", "jfif"], signatures: [jfif("00")], priorityOver: ["fmt/41"],
  },
  {
    puid: "fmt/43", name: "JPEG File Interchange Format", version: "1.01", mime: "image/jpeg",
    extensions: ["jpg", "jpeg", "jfif"], signatures: [jfif("01")], priorityOver: ["fmt/41"],
  },
  {
    puid: "fmt/44", name: "JPEG File Interchange Format", version: "1.02", mime: "image/jpeg",
    extensions: ["jpg", "jpeg", "jfif"], signatures: [jfif("02")], priorityOver: ["fmt/41"],
  },
  {
    puid: "fmt/645", name: "Exchangeable Image File Format (Compressed)", version: "2.21", mime: "image/jpeg",
    extensions: ["jpg", "jpeg"],
    signatures: [
      [bof("FFD8FFE1{2}'Exif'00004D4D002A", 0, 0, "900000070000000430323231"), FFD9],
      [bof("FFD8FFE1{2}'Exif'000049492A00", 0, 0, "009007000400000030323231"), FFD9],
    ],
    priorityOver: ["fmt/41"],
  },
  {
    puid: "fmt/3", name: "Graphics Interchange Format", version: "87a", mime: "image/gif", extensions: ["gif"],
    signatures: [[bof("'GIF87a'"), eof("3B", 0, 4)]],
  },
  {
    puid: "fmt/4", name: "Graphics Interchange Format", version: "89a", mime: "image/gif", extensions: ["gif"],
    signatures: [[bof("'GIF89a'"), eof("3B", 0, 4)]],
  },
  {
    puid: "fmt/353", name: "Tagged Image File Format", mime: "image/tiff", extensions: ["tif", "tiff"],
    signatures: [[bof("49492A00")], [bof("4D4D002A")]],
  },
  {
    puid: "fmt/116", name: "Windows Bitmap", version: "3.0", mime: "image/bmp", extensions: ["bmp", "dib"],
    signatures: [[bof("424D{12}28000000{8}0100(01|04|08|10|18|20)00(00|01|02)000000")]],
  },
  {
    puid: "fmt/118", name: "Windows Bitmap", version: "4.0", mime: "image/bmp", extensions: ["bmp", "dib"],
    signatures: [[bof(bmp("6C000000", "00|01|02|03"))]],
  },
  {
    puid: "fmt/119", name: "Windows Bitmap", version: "5.0", mime: "image/bmp", extensions: ["bmp", "dib"],
    signatures: [[bof(bmp("7C000000", "00|01|02|03|04|05"))]],
  },
  {
    puid: "fmt/566", name: "WebP", version: "Lossy", mime: "image/webp", extensions: ["webp"],
    signatures: [[bof("'RIFF'{4}'WEBPVP8 '")]], priorityOver: ["fmt/1886"],
  },
  {
    puid: "fmt/567", name: "WebP", version: "Lossless", mime: "image/webp", extensions: ["webp"],
    signatures: [[bof("'RIFF'{4}'WEBPVP8L'")]], priorityOver: ["fmt/1886"],
  },
  {
    puid: "fmt/568", name: "WebP", version: "Extended", mime: "image/webp", extensions: ["webp"],
    signatures: [[bof("'RIFF'{4}'WEBPVP8X'")]], priorityOver: ["fmt/1886"],
  },
  {
    puid: "x-fmt/392", name: "JP2 (JPEG 2000 part 1)", mime: "image/jp2", extensions: ["jp2"],
    signatures: [[bof("0000000C6A5020200D0A870A{4}'ftypjp2'")]],
  },
  {
    puid: "fmt/91", name: "Scalable Vector Graphics", version: "1.0", mime: "image/svg+xml", extensions: ["svg"],
    signatures: [[bof(svgHead, 0, 0, "'<svg'", "'svg>'")]], priorityOver: ["fmt/101"],
  },
  {
    puid: "fmt/92", name: "Scalable Vector Graphics", version: "1.1", mime: "image/svg+xml", extensions: ["svg"],
    signatures: [[bof(svgHead, 0, 0, "'<svg'", "'version=\"1.1\"'", "'svg>'")]],
    priorityOver: ["fmt/91", "fmt/101"],
  },
  {
    puid: "fmt/413", name: "Scalable Vector Graphics Tiny", version: "1.2", extensions: ["svg"],
    signatures: [[bof(svgHead, 0, 0, "'<svg'{0-512}'version=\"1.2\"'", "'svg>'")]],
    priorityOver: ["fmt/91", "fmt/101"],
  },
  {
    puid: "x-fmt/418", name: "Icon file format", mime: "image/vnd.microsoft.icon", extensions: ["ico"],
    signatures: [[bof("00000100[01:09]00{3}00[00:01]00{1}00{3}00")]],
  },
  {
    puid: "x-fmt/92", name: "Adobe Photoshop", mime: "image/vnd.adobe.photoshop", extensions: ["psd", "pdd"],
    signatures: [[bof("38425053000100000000000000")]],
  },
];
