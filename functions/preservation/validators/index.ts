import type { ValidatorId } from "../../../workflows/format-policy.ts";
import { checkGif } from "./gif.ts";
import { checkJpeg } from "./jpeg.ts";
import { checkPdf } from "./pdf.ts";
import { checkPng } from "./png.ts";
import { type ByteReader, withReader } from "./reader.ts";
import { checkRiff } from "./riff.ts";
import { checkUtf8 } from "./text.ts";
import { checkTiff } from "./tiff.ts";
import { checkMediaConch, checkXml, toolVersion } from "./tools.ts";
import { Malformed, type Validator, type Verdict } from "./types.ts";

export type { Validator, Verdict } from "./types.ts";

const OWN_VERSION = "1.0.0";

const structural = (program: string, parse: (r: ByteReader) => Promise<Verdict>): Validator => ({
  program,
  version: async () => OWN_VERSION,
  validate: (file) => withReader(file, parse),
});

/** Every validator the format policy can name. */
export const VALIDATORS: Record<ValidatorId, Validator> = {
  "pdf-structure": structural("stepmatica pdf-structure", checkPdf),
  "png-structure": structural("stepmatica png-structure", checkPng),
  "jpeg-structure": structural("stepmatica jpeg-structure", checkJpeg),
  "gif-structure": structural("stepmatica gif-structure", checkGif),
  "tiff-structure": structural("stepmatica tiff-structure", checkTiff),
  "riff-structure": structural("stepmatica riff-structure", checkRiff),
  "utf8-text": { program: "stepmatica utf8-text", version: async () => OWN_VERSION, validate: checkUtf8 },
  "xml-well-formed": {
    program: "xmllint",
    version: () => toolVersion("xmllint", ["--version"], /using libxml version (\d+)/),
    validate: checkXml,
  },
  mediaconch: {
    program: "MediaConch",
    version: () => toolVersion("mediaconch", ["--version"], /Interface (\S+)/),
    validate: checkMediaConch,
  },
};

/** Runs one validator; a structural problem is a "fail" verdict naming it, never an exception. */
export async function runValidator(id: ValidatorId, file: string, signal: AbortSignal): Promise<Verdict> {
  try {
    return await VALIDATORS[id].validate(file, signal);
  } catch (error) {
    if (error instanceof Malformed) return { outcome: "fail", detail: error.message };
    throw error;
  }
}
