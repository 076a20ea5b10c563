/**
 * Validates a METS document with embedded PREMIS 3 against the official schemas, read in place from
 * ../shared/schemas beside the checkout (never copied into the repo). A driver schema imports both
 * METS and PREMIS so xsi:type="premis:file" resolves and libxml2 validates each PREMIS section that
 * mets:xmlData holds (processContents="lax"). Lax processing silently skips an element it has no
 * declaration for, so each top-level element in mets:xmlData is also checked by name.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { memoryPages, validateXML, type XMLFileInfo } from "xmllint-wasm";
import { METS_NS } from "../../functions/mets/build-mets.ts";
import { PREMIS_NS } from "../../functions/mets/premis.ts";
import { attrValue, lineAt, scanXml } from "../../functions/mets/xml-scan.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** STEPMATICA_SCHEMAS_DIR points elsewhere (a worktree that is not beside the shared folder). */
export const defaultSchemasDir =
  process.env.STEPMATICA_SCHEMAS_DIR || path.resolve(repoRoot, "../shared/schemas");

const DRIVER = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="${METS_NS}" schemaLocation="mets.xsd"/>
  <xs:import namespace="${PREMIS_NS}" schemaLocation="premis-v3-0.xsd"/>
</xs:schema>
`;

interface Schemas {
  files: XMLFileInfo[];
  premisElements: Set<string>;
}

const loaded = new Map<string, Promise<Schemas>>();

/** Reads the schema files once per process (xmllint-wasm compiles them again on every call). */
function loadSchemas(schemasDir: string): Promise<Schemas> {
  let schemas = loaded.get(schemasDir);
  if (schemas) return schemas;
  schemas = (async () => {
    const names = ["mets.xsd", "xlink.xsd", "premis-v3-0.xsd"];
    // Read side by side, reported in the order above: which read fails first is a race.
    const settled = await Promise.allSettled(
      names.map(async (fileName) => {
        const file = path.join(schemasDir, fileName);
        try {
          return { fileName, contents: await readFile(file, "utf8") };
        } catch (error) {
          throw new Error(
            `METS validation needs ${file} (the shared schemas folder beside the checkout): ${String(error)}`,
          );
        }
      }),
    );
    const failed = settled.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const files = settled.map((result) => (result as PromiseFulfilledResult<XMLFileInfo>).value);
    const premis = files.find((f) => f.fileName === "premis-v3-0.xsd")!.contents as string;
    // Every element of PREMIS 3.0 is declared globally, so these are the names lax processing knows.
    const premisElements = new Set([...premis.matchAll(/<xs:element\s+name="([^"]+)"/g)].map((m) => m[1]!));
    return { files, premisElements };
  })();
  loaded.set(schemasDir, schemas);
  schemas.catch(() => loaded.delete(schemasDir));
  return schemas;
}

export interface MetsValidation {
  valid: boolean;
  errors: string[];
}

/**
 * Schema-validates `xml` (METS 1.12.1 + PREMIS 3.0 + XLink) and checks every top-level element of
 * mets:xmlData. Throws, rather than reporting invalid, when the schemas cannot be read.
 */
export async function validateMetsXml(
  xml: string,
  options: { schemasDir?: string } = {},
): Promise<MetsValidation> {
  const { files, premisElements } = await loadSchemas(options.schemasDir ?? defaultSchemasDir);
  const result = await validateXML({
    xml: [{ fileName: "METS.xml", contents: xml }],
    schema: [{ fileName: "driver.xsd", contents: DRIVER }],
    preload: files,
    // Grows on demand; large METS documents need far more than the 32 MiB default.
    maxMemoryPages: 2 * memoryPages.GiB,
  });
  const errors = result.errors.map((e) => e.rawMessage).filter((line) => line.trim() !== "");
  if (!result.valid && errors.length === 0) errors.push(result.rawOutput.trim() || "xmllint: invalid");
  if (result.valid) errors.push(...undeclaredPremisElements(xml, premisElements));
  return { valid: errors.length === 0, errors };
}

/** Top-level elements of mets:xmlData that lax validation would skip without a word. */
function undeclaredPremisElements(xml: string, declared: Set<string>): string[] {
  const errors: string[] = [];
  scanXml(xml, {
    start(tag, ancestors) {
      const parent = ancestors[ancestors.length - 1];
      if (!parent || parent.ns !== METS_NS || parent.local !== "xmlData") return;
      const mdWrap = ancestors[ancestors.length - 2];
      const mdType = mdWrap ? (attrValue(mdWrap, "MDTYPE") ?? "") : "";
      const where = `METS.xml:${lineAt(xml, tag.offset)}`;
      if (tag.ns === PREMIS_NS && !declared.has(tag.local)) {
        errors.push(
          `${where}: element ${tag.qname} is not declared by premis-v3-0.xsd (lax processing skips it)`,
        );
      } else if (mdType.startsWith("PREMIS") && tag.ns !== PREMIS_NS) {
        errors.push(
          `${where}: mdWrap MDTYPE="${mdType}" holds {${tag.ns}}${tag.local}, not a PREMIS 3 element`,
        );
      }
    },
  });
  return errors;
}

/**
 * Schema-validates a standalone PREMIS 3 document (a depositor's metadata/premis.xml), so the
 * fixtures the tests build are what the PREMIS schema allows, not only what our reader accepts.
 */
export async function validatePremisXml(
  xml: string,
  options: { schemasDir?: string } = {},
): Promise<MetsValidation> {
  const { files } = await loadSchemas(options.schemasDir ?? defaultSchemasDir);
  const result = await validateXML({
    xml: [{ fileName: "premis.xml", contents: xml }],
    schema: [files.find((f) => f.fileName === "premis-v3-0.xsd")!],
  });
  const errors = result.errors.map((e) => e.rawMessage).filter((line) => line.trim() !== "");
  if (!result.valid && errors.length === 0) errors.push(result.rawOutput.trim() || "xmllint: invalid");
  return { valid: result.valid, errors };
}
