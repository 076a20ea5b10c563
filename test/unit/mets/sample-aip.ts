/** A small AIP description for the METS tests: originals, one derivative, awkward names, DC. */
import {
  type AgentRecord,
  type EventRecord,
  type FileRecord,
  newFileRecord,
} from "../../../functions/core/model.ts";
import type { MetsInput } from "../../../functions/mets/index.ts";
import type { ArchivalMetadata } from "../../../functions/mets/input.ts";

export const AIP_ID = "6a82ffa2-91e2-48e1-b0d0-55b0de21568e";
const UNIT_ID = "0c4e3e1e-8a43-4f59-9d33-0d5f3c0c1a01";

export const AGENTS: AgentRecord[] = [
  {
    id: "agent-system",
    type: "software",
    name: "stepmatica",
    identifierType: "preservation system",
    identifierValue: "stepmatica-0.1.0",
  },
  {
    id: "agent-repo",
    type: "organization",
    name: "Wellcome & Friends <Archive>",
    identifierType: "repository code",
    identifierValue: "WC",
  },
  {
    id: "agent-user",
    type: "person",
    name: 'Zoë "ops" Ødegård',
    identifierType: "user",
    identifierValue: "7",
  },
];

const at = (minute: number): Date => new Date(Date.UTC(2024, 4, 1, 10, minute, 0));

export function fileRecord(overrides: Partial<FileRecord> & Pick<FileRecord, "id" | "path">): FileRecord {
  return newFileRecord({
    unitId: UNIT_ID,
    originalPath: overrides.path,
    size: 10,
    sha256: "a".repeat(64),
    createdAt: at(0),
    ...overrides,
  });
}

export const IMAGE_ID = "d0c46bbb-63b1-4530-ad1f-f65d9a32e434";
export const DERIVATIVE_ID = "d8717b3a-d12c-408a-9c37-732425331f44";
export const TEXT_ID = "4c8ccb7f-ab05-48a4-b8e3-d67056ab27bb";
export const DOC_ID = "6737b5d8-d6a0-41ef-b17c-93a13321ba8e";
export const NORMALIZATION_EVENT_ID = "d7746761-d98c-4a78-80e0-2e91e4c187d4";

export function sampleFiles(): MetsInput["files"] {
  const image = fileRecord({
    id: IMAGE_ID,
    path: "objects/photos/Tom & Jerry <1>.jpg",
    originalPath: "objects/photos/Tom & Jerry <1>.jpg",
    size: 6271469,
    sha256: "383d349019ace0e235443c6cb8c5fa3174f00d562281947d36f5fd12aa263687",
    puid: "fmt/43",
    formatName: "JPEG File Interchange Format",
    formatVersion: "1.01",
    mime: "image/jpeg",
    characteristics: {
      exiftool: { Software: "GIMP 2.10", ImageWidth: 640, Comment: "]]> <b>bold</b> & \u0001 bell" },
      siegfried: { matches: [{ id: "fmt/43", basis: "extension match jpg" }] },
    },
  });
  const derivative = fileRecord({
    id: DERIVATIVE_ID,
    path: `objects/photos/Tom & Jerry <1>-${DERIVATIVE_ID}.tif`,
    size: 47941948,
    sha256: "1cad1038c85dde1d018116c15fd32d2dac34d645b548611eb042f37169fcdee0",
    group: "preservation",
    puid: "fmt/353",
    formatName: "Tagged Image File Format",
    derivedFrom: IMAGE_ID,
  });
  const text = fileRecord({
    id: TEXT_ID,
    path: "objects/Übersicht \"quoted\" 'single'.txt",
    originalPath: "objects/Übersicht \"quoted\" 'single'\u0007.txt",
    puid: "x-fmt/111",
    formatName: "Plain Text File",
  });
  const doc = fileRecord({
    id: DOC_ID,
    path: "objects/submissionDocumentation/agreement.pdf",
    group: "submissionDocumentation",
  });
  return [text, derivative, doc, image].map((file) => ({ file, href: file.path }));
}

let eventCounter = 0;
function event(
  fileId: string | null,
  type: string,
  minute: number,
  extra: Partial<EventRecord> = {},
): EventRecord {
  eventCounter++;
  return {
    id: extra.id ?? `00000000-0000-4000-8000-${String(eventCounter).padStart(12, "0")}`,
    unitId: UNIT_ID,
    fileId,
    taskId: null,
    type,
    dateTime: at(minute),
    detail: "",
    outcome: "success",
    outcomeDetail: "",
    agents: ["agent-system", "agent-repo", "agent-user"],
    ...extra,
  };
}

export function sampleEvents(): EventRecord[] {
  eventCounter = 0;
  return [
    event(null, "ingestion", 1, { detail: "transfer <Tom & Jerry> accepted" }),
    event(IMAGE_ID, "message digest calculation", 2, {
      detail: 'program="node"; module="crypto.createHash(sha256)"',
      outcomeDetail: "383d349019ace0e235443c6cb8c5fa3174f00d562281947d36f5fd12aa263687",
    }),
    event(IMAGE_ID, "format identification", 3, { outcomeDetail: "fmt/43" }),
    event(IMAGE_ID, "normalization", 5, {
      id: NORMALIZATION_EVENT_ID,
      detail: 'program="sharp"; version="0.34.5"',
      outcomeDetail: `%SIPDirectory%objects/photos/Tom & Jerry <1>-${DERIVATIVE_ID}.tif`,
    }),
    event(DERIVATIVE_ID, "creation", 5),
    event(TEXT_ID, "filename change", 4, {
      detail: "prohibited characters removed",
      outcomeDetail: "Original name contained \u0007",
      outcome: "warning",
    }),
    event(DOC_ID, "virus check", 2, { agents: ["agent-system"] }),
    event(null, "creation", 9, { detail: "AIP created" }),
  ];
}

export function sampleInput(): MetsInput {
  return {
    kind: "aip",
    objectId: AIP_ID,
    name: "demo & <test> Ünïcødé",
    createdAt: new Date(Date.UTC(2024, 4, 1, 11, 0, 0)),
    files: sampleFiles(),
    events: sampleEvents(),
    agents: AGENTS,
    dublinCore: [
      { target: "objects", fields: { "dc.title": ["Letters & <papers>"], creator: ["Ødegård, Zoë"] } },
      { target: "objects/photos/Tom & Jerry <1>.jpg", fields: { description: ["A cat & a mouse"] } },
    ],
    externalIdentifier: "PP/MDM/A/3/1a",
  };
}

/** A synthetic package of `count` originals in 100 folders, each with four events (for benchmarks). */
export function largeInput(count: number): MetsInput {
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");
  const files: MetsInput["files"] = [];
  const events: EventRecord[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${hex(i, 8)}-0000-4000-8000-000000000000`;
    const path = `objects/folder-${i % 100}/file-${i}.txt`;
    const file = fileRecord({
      id,
      path,
      size: i,
      sha256: hex(i, 64),
      puid: "x-fmt/111",
      formatName: "Plain Text File",
      characteristics: { exiftool: { FileSize: `${i} bytes`, MIMEType: "text/plain" } },
    });
    files.push({ file, href: path });
    ["ingestion", "message digest calculation", "virus check", "format identification"].forEach((type, k) => {
      events.push({
        id: `${hex(i, 8)}-0000-4000-8000-${hex(k, 12)}`,
        unitId: UNIT_ID,
        fileId: id,
        taskId: null,
        type,
        dateTime: at(k),
        detail: `program="stepmatica"; step="${type}"`,
        outcome: "success",
        outcomeDetail: k === 1 ? hex(i, 64) : "",
        agents: ["agent-system", "agent-repo", "agent-user"],
      });
    });
  }
  return { ...sampleInput(), files, events, dublinCore: [] };
}

export const JPG = "objects/photos/Tom & Jerry <1>.jpg";
export const TXT = "objects/Übersicht \"quoted\" 'single'.txt";

/** Rights, identifiers, a label and a custom structMap for the sample's files and folders. */
export function sampleArchival(): ArchivalMetadata {
  const base = { restrictions: [] as string[] };
  return {
    rights: [
      {
        ...base,
        id: "11111111-0000-4000-8000-000000000001",
        target: "objects",
        basis: "Copyright",
        status: "copyrighted",
        jurisdiction: "gb",
        determinationDate: "2020-01-01",
        startDate: "2020-01-01",
        endDate: "OPEN",
        act: "disseminate",
        restrictions: ["Disallow"],
        grantStartDate: "2020-01-01",
        grantEndDate: "2070-01-01",
        documentation: { type: "URI", value: "https://example.org/agreement", role: "agreement" },
      },
      {
        ...base,
        id: "11111111-0000-4000-8000-000000000002",
        target: "objects/photos",
        basis: "License",
        terms: "CC BY 4.0",
        act: "replicate",
      },
      {
        ...base,
        id: "11111111-0000-4000-8000-000000000003",
        target: JPG,
        basis: "Statute",
        jurisdiction: "gb",
        citation: "Data Protection Act 2018",
      },
      {
        ...base,
        id: "11111111-0000-4000-8000-000000000004",
        target: JPG,
        basis: "Donor",
        note: "Donor asks for 10 years' closure",
      },
      { ...base, id: "11111111-0000-4000-8000-000000000005", target: TXT, basis: "Policy" },
    ],
    identifiers: [
      { target: "objects", identifiers: [{ type: "local", value: "ACC-2020-01" }] },
      { target: "objects/photos", identifiers: [{ type: "ARK", value: "ark:/12345/photos" }] },
      {
        target: JPG,
        identifiers: [
          { type: "DOI", value: "10.1234/tom" },
          { type: "local", value: "P1" },
        ],
      },
    ],
    labels: [{ target: JPG, label: "Cartoon still" }],
    logicalStructMap: {
      label: "Hierarchical",
      divs: [
        {
          type: "Book",
          label: "Album",
          files: [],
          children: [{ type: "page", label: "Page 1", files: [JPG], children: [] }],
        },
      ],
    },
  };
}
