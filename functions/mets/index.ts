/** METS 1.12.1 + PREMIS 3 generation and read-back (no AWS, no I/O). */
export {
  buildMets,
  METS_NS,
  type MetsPages,
  type MetsSpill,
  writeMets,
  writeMetsFromSource,
  writeMetsPaged,
} from "./build-mets.ts";
export { qualifiedName } from "./dublin-core.ts";
export type { DublinCoreEntry, MetsFileEntry, MetsHeader, MetsInput } from "./input.ts";
export { MetsInputError } from "./input.ts";
export { CHARACTERISTICS_NS, PREMIS_NS } from "./premis.ts";
export type { MetsFileSource } from "./source.ts";
export type { MetsFileSummary, MetsSummary } from "./summary.ts";
export { parseMetsSummary } from "./summary.ts";
