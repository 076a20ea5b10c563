/** BagIt (RFC 8493) library: write bags, validate bags, read manifests and bag-info.txt. */
export { type BagInfoField, bagInfoValues, formatBagInfo, parseBagInfo } from "./bag-info.ts";
export { type ChecksumFileCheck, checkChecksumFile, verifyChecksumFile } from "./checksum-file.ts";
export { readDeclaration } from "./declaration.ts";
export {
  decodeTagText,
  formatManifest,
  type ManifestEntry,
  type ParsedManifest,
  parseManifest,
  readManifest,
} from "./manifest.ts";
export { decodeManifestPath, encodeManifestPath } from "./text.ts";
export {
  ALGORITHMS,
  type Algorithm,
  BagError,
  type BagProblem,
  type BagValidationResult,
  isAlgorithm,
  RULES,
  type RuleId,
} from "./types.ts";
export { type ValidateBagOptions, validateBag } from "./validate.ts";
export {
  DEFAULT_SOFTWARE_AGENT,
  type KnownDigests,
  type KnownFile,
  MANIFEST_PAGE,
  type WriteBagOptions,
  type WriteBagResult,
  writeBag,
} from "./write.ts";
