/**
 * Reads back the facts other parts of the project (and tests) check in a METS this project wrote:
 * which files, in which group, where, with which PUID, checksum and events.
 */
import { METS_NS, XLINK_NS } from "./build-mets.ts";
import { PREMIS_NS } from "./premis.ts";
import { attrValue, scanXml, type XmlStart } from "./xml-scan.ts";

export interface MetsFileSummary {
  /** The PREMIS object UUID (the id after "file-"). */
  id: string;
  /** fileGrp USE: original, preservation, …, or deleted. */
  use: string;
  /** FLocat xlink:href; null for a removed file. */
  href: string | null;
  puid: string | null;
  sha256: string | null;
  size: number | null;
  eventTypes: string[];
}

export interface MetsSummary {
  objectId: string | null;
  files: MetsFileSummary[];
}

interface AmdFacts {
  puid: string | null;
  sha256: string | null;
  size: number | null;
  eventTypes: string[];
}

const CAPTURED = new Set([
  "formatRegistryKey",
  "messageDigest",
  "messageDigestAlgorithm",
  "size",
  "eventType",
]);

export function parseMetsSummary(xml: string): MetsSummary {
  let objectId: string | null = null;
  const amd = new Map<string, AmdFacts>();
  let currentAmd: AmdFacts | null = null;
  let algorithm = "";
  let captured = "";
  const files: Array<{ id: string; use: string; href: string | null; admId: string }> = [];
  let use = "";

  const isMets = (tag: XmlStart, local: string): boolean => tag.ns === METS_NS && tag.local === local;
  scanXml(xml, {
    start(tag) {
      if (isMets(tag, "mets")) objectId = attrValue(tag, "OBJID") ?? null;
      else if (isMets(tag, "amdSec")) {
        currentAmd = { puid: null, sha256: null, size: null, eventTypes: [] };
        amd.set(attrValue(tag, "ID") ?? "", currentAmd);
      } else if (isMets(tag, "fileGrp")) use = attrValue(tag, "USE") ?? "";
      else if (isMets(tag, "file")) {
        const id = (attrValue(tag, "ID") ?? "").replace(/^file-/, "");
        files.push({ id, use, href: null, admId: attrValue(tag, "ADMID") ?? "" });
      } else if (isMets(tag, "FLocat") && files.length > 0) {
        files[files.length - 1]!.href = attrValue(tag, "href", XLINK_NS) ?? null;
      }
      captured = "";
    },
    text(text) {
      captured += text;
    },
    end(tag) {
      if (isMets(tag, "amdSec")) currentAmd = null;
      const facts = currentAmd as AmdFacts | null;
      if (tag.ns !== PREMIS_NS || !CAPTURED.has(tag.local) || facts === null) return;
      const value = captured.trim();
      if (tag.local === "messageDigestAlgorithm") algorithm = value.toLowerCase();
      else if (tag.local === "messageDigest" && algorithm === "sha256") facts.sha256 = value;
      else if (tag.local === "formatRegistryKey") facts.puid = value === "" ? null : value;
      else if (tag.local === "size" && facts.size === null) facts.size = Number(value);
      else if (tag.local === "eventType") facts.eventTypes.push(value);
    },
  });

  return {
    objectId,
    files: files.map(({ id, use: group, href, admId }) => {
      const facts = amd.get(admId.split(" ")[0] ?? "");
      return {
        id,
        use: group,
        href,
        puid: facts?.puid ?? null,
        sha256: facts?.sha256 ?? null,
        size: facts?.size ?? null,
        eventTypes: facts?.eventTypes ?? [],
      };
    }),
  };
}
