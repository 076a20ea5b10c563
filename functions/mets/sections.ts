/** The metsHdr and the mdSec wrapper shared by every metadata section of the METS. */
import type { MetsHeader } from "./input.ts";
import type { XmlWriter } from "./xml-writer.ts";

export function writeHeader(w: XmlWriter, input: MetsHeader): void {
  w.open("mets:metsHdr", [["CREATEDATE", input.createdAt.toISOString()]]);
  const software = input.agents.find((agent) => agent.type === "software");
  w.open("mets:agent", [
    ["ROLE", "CREATOR"],
    ["TYPE", "OTHER"],
    ["OTHERTYPE", "SOFTWARE"],
  ]);
  w.leaf("mets:name", software?.name ?? "stepmatica");
  if (software) w.leaf("mets:note", `${software.identifierType}: ${software.identifierValue}`);
  w.close("mets:agent");
  const organization = input.agents.find((agent) => agent.type === "organization");
  if (organization) {
    w.open("mets:agent", [
      ["ROLE", "CUSTODIAN"],
      ["TYPE", "ORGANIZATION"],
    ]);
    w.leaf("mets:name", organization.name);
    w.leaf("mets:note", `${organization.identifierType}: ${organization.identifierValue}`);
    w.close("mets:agent");
  }
  if (input.externalIdentifier !== undefined) {
    // METS's slot for identifiers of the object other than the primary one (OBJID).
    w.leaf("mets:altRecordID", input.externalIdentifier, [["TYPE", "External-Identifier"]]);
  }
  w.close("mets:metsHdr");
}

/**
 * <mets:{section} ID><mets:mdWrap MDTYPE><mets:xmlData>…</mets:xmlData></mets:mdWrap></mets:{section}>;
 * mdType ["OTHER", x] writes MDTYPE="OTHER" OTHERMDTYPE=x.
 */
export function mdSec(
  w: XmlWriter,
  section: string,
  id: string,
  mdType: string | [string, string],
  body: () => void,
): void {
  w.open("mets:" + section, [["ID", id]]);
  const [type, otherType] = Array.isArray(mdType) ? mdType : [mdType, undefined];
  w.open("mets:mdWrap", [
    ["MDTYPE", type],
    ["OTHERMDTYPE", otherType],
  ]);
  w.open("mets:xmlData");
  body();
  w.close("mets:xmlData");
  w.close("mets:mdWrap");
  w.close("mets:" + section);
}
