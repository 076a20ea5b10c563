/**
 * processingMCP.xml at a transfer's root: Archivematica's per-transfer processing configuration,
 * <preconfiguredChoice><appliesTo>decision point</appliesTo><goToChain>choice</goToChain>. The
 * decisions that have a stepmatica key become settings; the others are named so the user knows they
 * were not applied. An empty <preconfiguredChoices/> answers nothing: every decision is "ask".
 */
import { DECISION_CHOICES } from "../../workflows/processing-config.ts";
import { scanXml } from "../mets/xml-scan.ts";
import { TransferMetadataError } from "./errors.ts";

type Setting = [key: string, value: string | boolean];

/** Archivematica's decision points (workflow link ids) and the choices (chain ids) we map. */
const DECISIONS: Record<string, { name: string; choices: Record<string, Setting> }> = {
  "dec97e3c-5598-4b99-b26e-f87a435a6b7f": {
    name: "Extract packages",
    choices: { "01d80b27-4ad1-4bd1-8f8d-f819f18bf685": ["extract_packages", true] },
  },
  "f19926dd-8fb5-4c79-8ade-c83f61f55b40": {
    name: "Delete package after extraction",
    choices: {
      "85b1e45d-8f98-4cae-8336-72f40e12cbef": ["delete_packages_after_extraction", true],
      "72e8443e-a8eb-49a8-ba5f-76d52f960bde": ["delete_packages_after_extraction", false],
    },
  },
  "cb8e5706-e73f-472f-ad9b-d1236af8095f": { name: "Normalize", choices: normalizeChoices() },
  "7509e7dc-1e1b-4dce-8d21-e130515fce73": { name: "Normalize", choices: normalizeChoices() },
  "01d64f58-8295-4b7b-9cab-8f1b153a504f": {
    name: "Select compression algorithm",
    choices: { "9475447c-9889-430c-9477-6287a9574c5b": ["aip_compression", "7z"] },
  },
};

function normalizeChoices(): Record<string, Setting> {
  return {
    "b93cecd4-71f2-4e28-bc39-d32fd62c5a94": ["normalize", "both"],
    "612e3609-ce9a-4df6-a9a3-63d634d2d934": ["normalize", "preservation"],
    "fb7a326e-1e50-4b48-91b9-4917ff8d0ae8": ["normalize", "access"],
    "89cb80dd-0636-464f-930d-57b61e3928b2": ["normalize", "none"],
    "e8544c5e-9cbb-4b8f-a68b-6d9b4d7f7362": ["normalize", "none"],
  };
}

/** Names of other decision points Archivematica's default configuration answers, for the message. */
const KNOWN_NAMES: Record<string, string> = {
  "755b4177-c587-41a7-8c52-015277568302": "Send to quarantine",
  "19adb668-b19a-4fcb-8938-f49d7485eaf3": "Remove from quarantine",
  "eeb23509-57e2-4529-8857-9d62525db048": "Reminder: add metadata if desired",
  "7a024896-c4f7-4808-a240-44c87c762bc5": "Perform file format identification (Ingest)",
  "01c651cb-c174-4ba4-b985-1d87a44d6754": "Select compression level",
  "accea2bf-ba74-4a3a-bb97-614775c74459": "Examine contents",
  "7079be6d-3a25-41e6-a481-cee5f352fe6e": "Transcribe files (OCR)",
  "56eebd45-5600-4768-a8c2-ec0114555a3d": "Generate transfer structure report",
  "153c5f41-3cfb-47ba-9150-2dd44ebc27df": "Perform policy checks on preservation derivatives",
  "8ce07e94-6130-4987-96f0-2399ad45c5c2": "Perform policy checks on access derivatives",
  "70fc7040-d4fb-4d19-a0e6-792387ca1006": "Perform policy checks on originals",
  "2d32235c-02d4-4686-88a6-96f4d6c7b1c3": "Store AIP",
  "b320ce81-9982-408a-9502-097d0daa48fa": "Store AIP location",
};

export interface ProcessingMcp {
  /** --set style pairs, in document order. */
  settings: string[];
  /** One line per choice not applied: the decision point and why. */
  notApplied: string[];
  /** An empty <preconfiguredChoices/>: every decision point is left to an operator. */
  askEverything: boolean;
}

export function readProcessingMcp(xml: string, where = "processingMCP.xml"): ProcessingMcp {
  const choices: Array<{ appliesTo: string; goToChain: string }> = [];
  let sawChoices = false;
  let current: { appliesTo: string; goToChain: string } | null = null;
  let field: "appliesTo" | "goToChain" | null = null;
  try {
    scanXml(xml.replace(/^\uFEFF/, ""), {
      start(tag) {
        if (tag.local === "preconfiguredChoices") sawChoices = true;
        if (tag.local === "preconfiguredChoice") current = { appliesTo: "", goToChain: "" };
        if (tag.local === "appliesTo" || tag.local === "goToChain") field = tag.local;
      },
      end(tag) {
        if (tag.local === "preconfiguredChoice" && current) choices.push(current);
        if (tag.local === "appliesTo" || tag.local === "goToChain") field = null;
      },
      text(text) {
        if (current && field) current[field] += text.trim();
      },
    });
  } catch (error) {
    throw new TransferMetadataError(`${where}: not well-formed XML (${(error as Error).message})`);
  }
  if (!sawChoices) throw new TransferMetadataError(`${where}: no <preconfiguredChoices> element`);
  const settings: string[] = [];
  const notApplied: string[] = [];
  for (const { appliesTo, goToChain } of choices) {
    const decision = DECISIONS[appliesTo];
    const setting = decision?.choices[goToChain];
    if (setting) settings.push(`${setting[0]}=${setting[1]}`);
    else if (decision) notApplied.push(`${decision.name}: choice ${goToChain} has no stepmatica equivalent`);
    else notApplied.push(`${KNOWN_NAMES[appliesTo] ?? appliesTo}: no stepmatica decision point`);
  }
  const askEverything = choices.length === 0;
  if (askEverything) for (const key of Object.keys(DECISION_CHOICES)) settings.push(`${key}=ask`);
  return { settings, notApplied, askEverything };
}
