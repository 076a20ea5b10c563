import { join } from "node:path";
import { type Recipe, run } from "./make.ts";

const TONE = ["-f", "lavfi", "-i", "sine=frequency=440:duration=0.5:sample_rate=22050"];
const PICTURE = ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=0.5"];

function ffmpeg(name: string, inputs: string[], args: string[]): (dir: string) => Promise<void> {
  return async (dir) => {
    await run(
      "ffmpeg",
      ["-hide_banner", "-loglevel", "error", "-y", ...inputs, ...args, join(dir, name)],
      dir,
    );
  };
}

/** ffmpeg's muxers and encoders (Debian's ffmpeg). */
export const MEDIA: Recipe[] = [
  {
    name: "tone.wav",
    tool: "ffmpeg -c:a pcm_s16le (WAV)",
    expected: "fmt/141",
    why: "V119 fmt/141 'Waveform Audio (PCMWAVEFORMAT)': RIFF/WAVE with a 16-byte 'fmt ' chunk of format tag 1 (PCM); ffmpeg writes exactly that header for 16-bit PCM with at most 2 channels (fmt/142 WAVEFORMATEX needs an 18-byte fmt chunk, fmt/143 tag FFFE)",
    make: ffmpeg("tone.wav", TONE, ["-c:a", "pcm_s16le"]),
  },
  {
    name: "tone-alaw.wav",
    tool: "ffmpeg -c:a pcm_alaw (WAV)",
    expected: "fmt/142",
    why: "V119 fmt/142 'Waveform Audio (WAVEFORMATEX)': 'RIFF' .... 'WAVEfmt ' then a chunk-size byte other than 10 ([!10]) and 'data' at least 21 bytes on; ffmpeg writes an 18-byte fmt chunk (WAVEFORMATEX with cbSize) for a non-PCM tag such as A-law (6)",
    make: ffmpeg("tone-alaw.wav", TONE, ["-c:a", "pcm_alaw"]),
  },
  {
    name: "tone-24bit.wav",
    tool: "ffmpeg -c:a pcm_s24le (WAV)",
    expected: "fmt/143",
    why: "V119 fmt/143 'Waveform Audio (WAVEFORMATEXTENSIBLE)': 'RIFF' .... 'WAVEfmt ' then, 4 bytes on, the format tag FE FF; ffmpeg writes WAVE_FORMAT_EXTENSIBLE (a 40-byte fmt chunk) for more than 16 bits per sample. fmt/143 has priority over fmt/142 (FileFormat 785), whose [!10] also matches that chunk",
    make: ffmpeg("tone-24bit.wav", TONE, ["-c:a", "pcm_s24le"]),
  },
  {
    name: "tone.flac",
    tool: "ffmpeg -c:a flac",
    expected: "fmt/279",
    why: "V119 fmt/279 'FLAC (Free Lossless Audio Codec)': 'fLaC' at BOF followed by the STREAMINFO block",
    make: ffmpeg("tone.flac", TONE, ["-c:a", "flac"]),
  },
  {
    name: "tone.mp3",
    tool: "ffmpeg -c:a libmp3lame",
    expected: "fmt/134",
    why: "V119 fmt/134 'MPEG 1/2 Audio Layer 3': an ID3v2 tag ('ID3') at BOF (ffmpeg writes one) followed by MPEG layer III frames",
    make: ffmpeg("tone.mp3", TONE, ["-c:a", "libmp3lame", "-b:a", "64k"]),
  },
  {
    name: "tone.ogg",
    tool: "ffmpeg -c:a libvorbis",
    expected: "fmt/203",
    why: "V119 fmt/203 'Ogg Vorbis Codec Compressed Multimedia File': 'OggS' page whose first packet is the Vorbis identification header (01 'vorbis'); it has priority over fmt/944 Ogg Multimedia Container",
    make: ffmpeg("tone.ogg", TONE, ["-c:a", "libvorbis"]),
  },
  {
    name: "clip.mkv",
    tool: "ffmpeg -f matroska",
    expected: "fmt/569",
    why: "V119 fmt/569 'Matroska': EBML header (1A45DFA3) whose DocType is 'matroska'",
    make: ffmpeg("clip.mkv", [...PICTURE, ...TONE], ["-c:v", "mpeg4", "-c:a", "flac", "-shortest"]),
  },
  {
    name: "clip.mp4",
    tool: "ffmpeg -f mp4",
    expected: "fmt/199",
    why: "V119 fmt/199 'MPEG-4 Media File': an 'ftyp' box at offset 4 with an ISO/MP4 brand (ffmpeg: 'isom', compatible 'mp41')",
    make: ffmpeg("clip.mp4", [...PICTURE, ...TONE], ["-c:v", "mpeg4", "-c:a", "aac", "-shortest"]),
  },
  {
    name: "clip.avi",
    tool: "ffmpeg -f avi",
    expected: "fmt/5",
    why: "V119 fmt/5 'Audio/Video Interleaved Format': 'RIFF' ... 'AVI LIST' at BOF",
    make: ffmpeg("clip.avi", [...PICTURE, ...TONE], ["-c:v", "mpeg4", "-c:a", "mp2", "-shortest"]),
  },
  {
    name: "clip.ts",
    tool: "ffmpeg -f mpegts",
    expected: "fmt/585",
    why: "V119 fmt/585 'MPEG-2 Transport Stream': the 0x47 sync byte repeated every 188 bytes from BOF",
    make: ffmpeg("clip.ts", [...PICTURE, ...TONE], ["-c:v", "mpeg2video", "-c:a", "mp2", "-shortest"]),
  },
  {
    name: "tone.aiff",
    tool: "ffmpeg -f aiff (pcm_s16be)",
    expected: "fmt/414",
    why: "V119 fmt/414 'Audio Interchange File Format' (ext aif, aiff): 'FORM' .... 'AIFF' at BOF; x-fmt/135 (1.3) has no signature and x-fmt/136 is the compressed 'AIFC' form",
    make: ffmpeg("tone.aiff", TONE, ["-c:a", "pcm_s16be"]),
  },
  {
    name: "frame.jpg",
    tool: "ffmpeg -c:v mjpeg (one frame)",
    expected: "fmt/44",
    why: "V119 fmt/44 'JPEG File Interchange Format 1.02': FF D8 FF E0, then 'JFIF' 00 01 02 (ffmpeg's JPEG encoder writes a JFIF 1.02 APP0 segment) and FF D9 near EOF",
    make: ffmpeg("frame.jpg", PICTURE, ["-frames:v", "1", "-c:v", "mjpeg", "-update", "1"]),
  },
  {
    name: "frame.jp2",
    tool: "ffmpeg -c:v jpeg2000 -format jp2",
    expected: "x-fmt/392",
    why: "V119 x-fmt/392 'JP2 (JPEG 2000 part 1)': the JP2 signature box (0000000C 6A502020 0D0A870A) then an 'ftyp' box of brand 'jp2 '",
    make: ffmpeg("frame.jp2", PICTURE, [
      "-frames:v",
      "1",
      "-c:v",
      "jpeg2000",
      "-format",
      "jp2",
      "-update",
      "1",
    ]),
  },
];
