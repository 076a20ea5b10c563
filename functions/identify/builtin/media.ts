import { type BuiltinFormat, anywhere, bof } from "./shape.ts";

const frames = (sync: string) => `${sync}[10:EB]{46-1439}${sync}[10:EB]{46-1439}${sync}[10:EB]`;
const MOOV = "'moov'({0-4096}'cmov'|{0-4096}'mvhd'|{0-4096}'rmra')";

export const MEDIA: BuiltinFormat[] = [
  {
    puid: "fmt/1886", name: "Resource Interchange File Format (RIFF)", extensions: [],
    signatures: [[bof("'RIFF'")]],
  },
  {
    puid: "fmt/6", name: "Waveform Audio", mime: "audio/x-wav", extensions: ["wav"],
    signatures: [[bof("'RIFF'{4}'WAVE'")]], priorityOver: ["fmt/1886"],
  },
  {
    puid: "fmt/141", name: "Waveform Audio (PCMWAVEFORMAT)", mime: "audio/x-wav", extensions: ["wav", "wave"],
    signatures: [[bof("'RIFF'{4}'WAVEfmt '100000000100", 0, 0, "'data'")]], priorityOver: ["fmt/6"],
  },
  {
    puid: "fmt/142", name: "Waveform Audio (WAVEFORMATEX)", mime: "audio/x-wav", extensions: ["wav", "wave"],
    signatures: [[bof("'RIFF'{4}'WAVEfmt '[!10]", 0, 0, "'data'")]], priorityOver: ["fmt/6"],
  },
  {
    puid: "fmt/143", name: "Waveform Audio (WAVEFORMATEXTENSIBLE)", mime: "audio/x-wav", extensions: ["wav", "wave"],
    signatures: [[bof("'RIFF'{4}'WAVEfmt '{4}FEFF", 0, 0, "'data'")]], priorityOver: ["fmt/6", "fmt/142"],
  },
  {
    puid: "fmt/279", name: "FLAC (Free Lossless Audio Codec)", version: "1.2.1", mime: "audio/flac",
    extensions: ["flac"], signatures: [[bof("'fLaC'(00|80)000022", 0, 4)]],
  },
  {
    puid: "fmt/134", name: "MPEG 1/2 Audio Layer 3", mime: "audio/mpeg", extensions: ["mp3"],
    signatures: ["FFFB", "FFF3", "FFFA", "FFF2"].flatMap((sync) => [
      [bof("'ID3'"), anywhere(frames(sync))],
      [bof(frames(sync), 0, 1795)],
    ]),
  },
  {
    puid: "fmt/944", name: "Ogg Multimedia Container", mime: "application/ogg", extensions: ["ogg", "ogv", "opus"],
    signatures: [[bof("'OggS'0002")]],
  },
  {
    puid: "fmt/203", name: "Ogg Vorbis Codec Compressed Multimedia File", mime: "audio/ogg", extensions: ["ogg"],
    signatures: [[bof("'OggS'0002{23}'vorbis'00000000{19}'OggS'")]], priorityOver: ["fmt/944"],
  },
  {
    puid: "fmt/946", name: "Ogg Opus Codec Compressed Multimedia File", mime: "audio/ogg, audio/opus",
    extensions: ["ogg", "opus"], signatures: [[bof("'OggS'0002{22}'OpusHead'{11}'OggS'")]],
    priorityOver: ["fmt/944"],
  },
  {
    puid: "fmt/414", name: "Audio Interchange File Format", extensions: ["aif", "aiff"],
    signatures: [[bof("'FORM'{4}'AIFF'")]], priorityOver: ["fmt/134"],
  },
  {
    puid: "x-fmt/136", name: "Audio Interchange File Format (compressed)", mime: "audio/x-aiff", extensions: ["aifc"],
    signatures: [[bof("'FORM'{4}'AIFC'")]],
  },
  {
    puid: "x-fmt/230", name: "MIDI Audio", mime: "audio/midi", extensions: ["mid", "midi"],
    signatures: [[bof("'MThd'0000000600[00:02]{4}'MTrk'")]],
  },
  {
    puid: "fmt/199", name: "MPEG-4 Media File", mime: "application/mp4, video/mp4",
    extensions: ["mp4", "m4a", "m4v", "f4v", "f4a"],
    signatures: [[bof("'ftyp'({0-64}'iso2'|{0-64}'isom'|{0-64}'mp41'|{0-64}'mp42')", 4, 4, "'moov'")]],
    priorityOver: ["x-fmt/384"],
  },
  {
    puid: "x-fmt/384", name: "Quicktime", mime: "video/quicktime", extensions: ["mov", "qtm"],
    signatures: [[bof("'ftypqt  '", 4, 8)], [bof(MOOV, 4, 8)], [bof("'mdat'", 4, 8), anywhere(MOOV)]],
  },
  {
    puid: "fmt/569", name: "Matroska", version: "1-4", extensions: ["mkv", "mka", "mks", "mk3d"],
    signatures: [[bof("1A45DFA3{0-32}4282886D6174726F736B614287", 0, 1024)]], priorityOver: ["fmt/134"],
  },
  {
    puid: "fmt/573", name: "WebM", mime: "video/webm", extensions: ["webm"],
    signatures: [[bof("1A45DFA3{0-32}4282847765626D4287")]],
  },
  {
    puid: "fmt/5", name: "Audio/Video Interleaved Format", mime: "video/x-msvideo", extensions: ["avi"],
    signatures: [[bof("'RIFF'{4}'AVI '")]], priorityOver: ["fmt/1886"],
  },
  {
    puid: "x-fmt/385", name: "MPEG-1 Program Stream", mime: "video/mpeg", extensions: ["mpg", "mpeg"],
    signatures: [[bof("000001BA{8-12}000001BB")]],
  },
  {
    puid: "fmt/649", name: "MPEG-1 Elementary Stream", extensions: ["mpg", "mpeg", "m1v"],
    signatures: [[bof("000001B3{8-136}000001B8")]],
  },
  {
    puid: "fmt/640", name: "MPEG-2 Elementary Stream", extensions: ["mpg", "mpeg", "m2v"],
    signatures: [[bof("000001B3{8-256}000001B5{6-256}000001B8")]], priorityOver: ["fmt/649"],
  },
  {
    puid: "x-fmt/382", name: "Macromedia FLV", version: "1", mime: "video/x-flv", extensions: ["flv"],
    signatures: [[bof("'FLV'01")]], priorityOver: ["fmt/134"],
  },
];

