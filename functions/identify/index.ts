/** PRONOM format identification (DROID signature files, container signatures, a built-in table). */
export { BUILTIN_FORMATS, builtinContainerSignatures, builtinSignatures } from "./builtin/index.ts";
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
export type * from "./types.ts";
