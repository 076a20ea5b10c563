/** PRONOM format identification (DROID signature files and container signatures, the official ones shipped). */
export { loadContainerSignatures, parseContainerSignatures } from "./container-loader.ts";
export { loadSignatureFile, parseSignatureFile } from "./droid-loader.ts";
export {
  createIdentifier,
  IDENTIFY_TOOL_NAME,
  IDENTIFY_TOOL_VERSION,
  type Identifier,
  type IdentifierOptions,
  type ToolInfo,
} from "./identifier.ts";
export { PatternError, parsePattern } from "./pattern.ts";
export {
  CONTAINER_FILE_PATTERN,
  DROID_FILE_PATTERN,
  type LoadedSignatureFiles,
  loadSignatureFolder,
  readSignatureFile,
  SHIPPED_SIGNATURES_DIR,
  type SignatureFileInfo,
  type SignatureFileKind,
  signatureFilesIn,
} from "./signature-files.ts";
export type * from "./types.ts";
