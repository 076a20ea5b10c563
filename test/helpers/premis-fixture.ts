/**
 * metadata/premis.xml as Archivematica's user manual lays it out ("Importing event metadata with
 * premis.xml"): file objects named by premis:originalName ("objects/…") that link their events with
 * premis:linkingEventIdentifier, events that link their agent, and agents. Built by the tests, with
 * what a depositor may add: checksums, sizes and formats on the objects, and rights statements.
 */
export interface FixtureObject {
  id: string;
  originalName: string;
  md5?: string;
  algorithm?: string;
  size?: number;
  formatName?: string;
  puid?: string;
  events: string[];
}

export interface FixtureEvent {
  id: string;
  type: string;
  dateTime: string;
  detail: string;
  outcome?: string;
  agent: string;
}

export interface FixtureRights {
  id: string;
  objects: string[];
  licenseTerms: string;
  act: string;
  restriction?: string;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

export function premisXml(parts: {
  objects: FixtureObject[];
  events: FixtureEvent[];
  agents: Array<{ id: string; name: string; type: string }>;
  rights?: FixtureRights[];
}): string {
  const objects = parts.objects.map((o) => {
    const fixity =
      o.md5 === undefined
        ? ""
        : `
      <premis:fixity>
        <premis:messageDigestAlgorithm>${esc(o.algorithm ?? "MD5")}</premis:messageDigestAlgorithm>
        <premis:messageDigest>${o.md5}</premis:messageDigest>
      </premis:fixity>`;
    const size = o.size === undefined ? "" : `\n      <premis:size>${o.size}</premis:size>`;
    const registry = o.puid
      ? `
        <premis:formatRegistry>
          <premis:formatRegistryName>PRONOM</premis:formatRegistryName>
          <premis:formatRegistryKey>${o.puid}</premis:formatRegistryKey>
        </premis:formatRegistry>`
      : "";
    const links = o.events
      .map(
        (e) => `
    <premis:linkingEventIdentifier>
      <premis:linkingEventIdentifierType>NRI Repository Event ID</premis:linkingEventIdentifierType>
      <premis:linkingEventIdentifierValue>${esc(e)}</premis:linkingEventIdentifierValue>
    </premis:linkingEventIdentifier>`,
      )
      .join("");
    return `
  <premis:object xsi:type="premis:file">
    <premis:objectIdentifier>
      <premis:objectIdentifierType>hdl</premis:objectIdentifierType>
      <premis:objectIdentifierValue>${esc(o.id)}</premis:objectIdentifierValue>
    </premis:objectIdentifier>
    <premis:objectCharacteristics>${fixity}${size}
      <premis:format>
        <premis:formatDesignation>
          <premis:formatName>${esc(o.formatName ?? "")}</premis:formatName>
          <premis:formatVersion></premis:formatVersion>
        </premis:formatDesignation>${registry}
      </premis:format>
    </premis:objectCharacteristics>
    <premis:originalName>
      ${esc(o.originalName)}
    </premis:originalName>${links}
  </premis:object>`;
  });
  const events = parts.events.map(
    (e) => `
  <premis:event>
    <premis:eventIdentifier>
      <premis:eventIdentifierType>NRI Repository Event ID</premis:eventIdentifierType>
      <premis:eventIdentifierValue>${esc(e.id)}</premis:eventIdentifierValue>
    </premis:eventIdentifier>
    <premis:eventType>${esc(e.type)}</premis:eventType>
    <premis:eventDateTime>${e.dateTime}</premis:eventDateTime>
    <premis:eventDetailInformation>
      <premis:eventDetail>${esc(e.detail)}</premis:eventDetail>
    </premis:eventDetailInformation>
    <premis:eventOutcomeInformation>
      ${e.outcome ? `<premis:eventOutcome>${esc(e.outcome)}</premis:eventOutcome>` : "<premis:eventOutcome/>"}
      <premis:eventOutcomeDetail>
        <premis:eventOutcomeDetailNote/>
      </premis:eventOutcomeDetail>
    </premis:eventOutcomeInformation>
    <premis:linkingAgentIdentifier>
      <premis:linkingAgentIdentifierType>repository code</premis:linkingAgentIdentifierType>
      <premis:linkingAgentIdentifierValue>${esc(e.agent)}</premis:linkingAgentIdentifierValue>
    </premis:linkingAgentIdentifier>
  </premis:event>`,
  );
  const agents = parts.agents.map(
    (a) => `
  <premis:agent>
    <premis:agentIdentifier>
      <premis:agentIdentifierType>repository code</premis:agentIdentifierType>
      <premis:agentIdentifierValue>${esc(a.id)}</premis:agentIdentifierValue>
    </premis:agentIdentifier>
    <premis:agentName>${esc(a.name)}</premis:agentName>
    <premis:agentType>${esc(a.type)}</premis:agentType>
  </premis:agent>`,
  );
  const rights = (parts.rights ?? []).map(
    (r) => `
  <premis:rights>
    <premis:rightsStatement>
      <premis:rightsStatementIdentifier>
        <premis:rightsStatementIdentifierType>local</premis:rightsStatementIdentifierType>
        <premis:rightsStatementIdentifierValue>${esc(r.id)}</premis:rightsStatementIdentifierValue>
      </premis:rightsStatementIdentifier>
      <premis:rightsBasis>License</premis:rightsBasis>
      <premis:licenseInformation>
        <premis:licenseTerms>${esc(r.licenseTerms)}</premis:licenseTerms>
      </premis:licenseInformation>
      <premis:rightsGranted>
        <premis:act>${esc(r.act)}</premis:act>${r.restriction ? `\n        <premis:restriction>${esc(r.restriction)}</premis:restriction>` : ""}
      </premis:rightsGranted>${r.objects
        .map(
          (o) => `
      <premis:linkingObjectIdentifier>
        <premis:linkingObjectIdentifierType>hdl</premis:linkingObjectIdentifierType>
        <premis:linkingObjectIdentifierValue>${esc(o)}</premis:linkingObjectIdentifierValue>
      </premis:linkingObjectIdentifier>`,
        )
        .join("")}
    </premis:rightsStatement>
  </premis:rights>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<premis:premis xmlns:premis="http://www.loc.gov/premis/v3" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.loc.gov/premis/v3 https://www.loc.gov/standards/premis/premis.xsd" version="3.0">${objects.join("")}${events.join("")}${agents.join("")}${rights.join("")}
</premis:premis>
`;
}
