/**
 * metadata/mets_structmap.xml (Archivematica's custom structural map): a METS document whose first
 * structMap holds divs with TYPE and LABEL and fptrs naming files by CONTENTIDS="objects/…". It
 * becomes a second (logical) structMap in the AIP METS; every file it names must be in the transfer.
 */
import type { LogicalDiv, LogicalStructMap } from "../mets/logical.ts";
import { attrValue, lineAt, scanXml } from "../mets/xml-scan.ts";
import { TransferMetadataError } from "./errors.ts";
import type { TargetResolver } from "./targets.ts";

const METS_NS = "http://www.loc.gov/METS/";

export function structMapFromXml(xml: string, where: string, resolve: TargetResolver): LogicalStructMap {
  let map: LogicalStructMap | null = null;
  let done = false;
  const stack: LogicalDiv[] = [];
  try {
    scanXml(xml.replace(/^\uFEFF/, ""), {
      start(tag) {
        if (done || tag.ns !== METS_NS) return;
        const at = `${where} line ${lineAt(xml, tag.offset)}`;
        if (tag.local === "structMap" && map === null) {
          const label = attrValue(tag, "LABEL");
          map = { divs: [], ...(label ? { label } : {}) };
        } else if (tag.local === "div" && map) {
          const type = attrValue(tag, "TYPE");
          const label = attrValue(tag, "LABEL");
          const div: LogicalDiv = {
            files: [],
            children: [],
            ...(type ? { type } : {}),
            ...(label ? { label } : {}),
          };
          (stack.at(-1)?.children ?? (map as LogicalStructMap).divs).push(div);
          stack.push(div);
        } else if (tag.local === "fptr" && map) {
          const ids = attrValue(tag, "CONTENTIDS");
          if (!ids) throw new TransferMetadataError(`${at}: fptr without CONTENTIDS="objects/…"`);
          const div = stack.at(-1);
          if (!div) throw new TransferMetadataError(`${at}: fptr outside a div`);
          for (const id of ids.split(/\s+/).filter(Boolean)) div.files.push(resolve(decodeContentId(id), at));
        }
      },
      end(tag) {
        if (done || tag.ns !== METS_NS) return;
        if (tag.local === "div" && map) stack.pop();
        if (tag.local === "structMap" && map) done = true;
      },
    });
  } catch (error) {
    if (error instanceof TransferMetadataError) throw error;
    throw new TransferMetadataError(`${where}: not well-formed XML (${(error as Error).message})`);
  }
  if (!map) throw new TransferMetadataError(`${where}: no mets:structMap found`);
  return map;
}

/** CONTENTIDS are URIs: "%20" is a space; a bare "%" (a name like "50% draft.txt") is kept as it is. */
function decodeContentId(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}
