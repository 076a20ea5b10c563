import type { ContainerSignatureSet, SignatureSet } from "../types.ts";
export function builtinSignatures(): SignatureSet {
  return { source: "builtin", version: "0", formats: [], signatures: [] };
}
export function builtinContainerSignatures(): ContainerSignatureSet {
  return { source: "builtin-containers", version: "0", signatures: [], triggers: [] };
}
