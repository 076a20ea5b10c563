import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { readInternalSignature } from "./droid-loader.ts";
import type { ContainerSignatureDef, ContainerSignatureSet, ContainerType } from "./types.ts";
import { childrenNamed, firstChild, parseXml, type XmlElement } from "./xml.ts";

/** Loads a DROID container signature file (`container-signature-*.xml`) of any version. */
export async function loadContainerSignatures(path: string): Promise<ContainerSignatureSet> {
  let source: string;
  try {
    source = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`identify: cannot read container signature file ${path}: ${(error as Error).message}`);
  }
  try {
    return parseContainerSignatures(source, basename(path));
  } catch (error) {
    throw new Error(`identify: ${path} is not a container signature file: ${(error as Error).message}`);
  }
}

export function parseContainerSignatures(source: string, name: string): ContainerSignatureSet {
  const root = parseXml(source);
  if (root.name !== "ContainerSignatureMapping") {
    throw new Error(`root element is <${root.name}>, not <ContainerSignatureMapping>`);
  }
  const puidsBySignature = new Map<number, string[]>();
  for (const mapping of childrenNamed(firstChild(root, "FileFormatMappings") ?? root, "FileFormatMapping")) {
    const id = Number(mapping.attrs.signatureId);
    const puid = mapping.attrs.Puid;
    if (Number.isInteger(id) && puid) puidsBySignature.set(id, [...(puidsBySignature.get(id) ?? []), puid]);
  }
  const signatures = childrenNamed(firstChild(root, "ContainerSignatures") ?? root, "ContainerSignature")
    .map((element) => readContainerSignature(element, puidsBySignature))
    .filter((signature): signature is ContainerSignatureDef => signature !== null);
  const triggers = childrenNamed(firstChild(root, "TriggerPuids") ?? root, "TriggerPuid").flatMap(
    (trigger) => {
      const type = containerType(trigger.attrs.ContainerType);
      return type && trigger.attrs.Puid ? [{ containerType: type, puid: trigger.attrs.Puid }] : [];
    },
  );
  const day = /(\d{4})(\d{2})(\d{2})\.xml$/.exec(name);
  const date = day ? `${day[1]}-${day[2]}-${day[3]}` : null;
  return { source: name, version: root.attrs.signatureVersion ?? "unknown", date, signatures, triggers };
}

function readContainerSignature(
  element: XmlElement,
  puidsBySignature: Map<number, string[]>,
): ContainerSignatureDef | null {
  const id = Number(element.attrs.Id);
  const type = containerType(element.attrs.ContainerType);
  // Container types other than OLE2 and ZIP (none so far) are skipped rather than misread.
  if (!Number.isInteger(id) || type === null) return null;
  const files = childrenNamed(firstChild(element, "Files") ?? element, "File").map((file) => {
    const collection = firstChild(
      firstChild(file, "BinarySignatures") ?? file,
      "InternalSignatureCollection",
    );
    return {
      path: (firstChild(file, "Path")?.text ?? "").trim(),
      signatures: collection ? childrenNamed(collection, "InternalSignature").map(readInternalSignature) : [],
    };
  });
  return {
    id,
    containerType: type,
    description: (firstChild(element, "Description")?.text ?? "").trim(),
    files,
    puids: puidsBySignature.get(id) ?? [],
  };
}

function containerType(text: string | undefined): ContainerType | null {
  return text === "OLE2" || text === "ZIP" ? text : null;
}
