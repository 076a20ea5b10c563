import type { ContainerSignatureSet, SignatureSet } from "../types.ts";
import { ARCHIVES_AND_TEXT } from "./archives.ts";
import { BUILTIN_CONTAINERS } from "./containers.ts";
import { DOCUMENTS } from "./documents.ts";
import { IMAGES } from "./images.ts";
import { MEDIA } from "./media.ts";
import { ODF } from "./odf.ts";
import { type BuiltinFormat, toSignatureSet } from "./shape.ts";

export const BUILTIN_VERSION = "1";
export const BUILTIN_FORMATS: BuiltinFormat[] = [
  ...IMAGES,
  ...DOCUMENTS,
  ...ODF,
  ...MEDIA,
  ...ARCHIVES_AND_TEXT,
];

/** The hand-written table (PRONOM facts) used when no signature file is configured. */
export function builtinSignatures(): SignatureSet {
  return toSignatureSetOnce();
}

export function builtinContainerSignatures(): ContainerSignatureSet {
  return BUILTIN_CONTAINERS;
}

let cached: SignatureSet | null = null;
function toSignatureSetOnce(): SignatureSet {
  cached ??= toSignatureSet("builtin", BUILTIN_VERSION, BUILTIN_FORMATS);
  return cached;
}
