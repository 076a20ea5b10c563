import { describe, expect, it } from "vitest";
import { readProcessingMcp } from "../../../functions/transfer-metadata/processing-mcp.ts";
import { askedKeys, PRESETS, resolveConfig } from "../../../workflows/processing-config.ts";

const choice = (appliesTo: string, goToChain: string, comment = "") =>
  `    ${comment ? `<!-- ${comment} -->` : ""}<preconfiguredChoice><appliesTo>${appliesTo}</appliesTo><goToChain>${goToChain}</goToChain></preconfiguredChoice>\n`;

describe("processingMCP.xml", () => {
  it("maps Archivematica's decisions to configuration keys and names the ones it cannot apply", () => {
    const xml = `<processingMCP>\n  <preconfiguredChoices>\n${[
      choice("cb8e5706-e73f-472f-ad9b-d1236af8095f", "b93cecd4-71f2-4e28-bc39-d32fd62c5a94", "Normalize"),
      choice("f19926dd-8fb5-4c79-8ade-c83f61f55b40", "85b1e45d-8f98-4cae-8336-72f40e12cbef"),
      choice("01d64f58-8295-4b7b-9cab-8f1b153a504f", "9475447c-9889-430c-9477-6287a9574c5b"),
      choice(
        "accea2bf-ba74-4a3a-bb97-614775c74459",
        "e0a39199-c62a-4a2f-98de-e9d1116460a8",
        "Examine contents",
      ),
      choice(
        "cb8e5706-e73f-472f-ad9b-d1236af8095f",
        "c34bd22a-d077-4180-bf58-01db35bdb644",
        "Normalize manually",
      ),
    ].join("")}  </preconfiguredChoices>\n</processingMCP>\n`;
    const read = readProcessingMcp(xml);
    expect(read.settings).toEqual([
      "normalize=both",
      "delete_packages_after_extraction=true",
      "aip_compression=7z",
    ]);
    expect(read.notApplied).toEqual([
      "Examine contents: no stepmatica decision point",
      "Normalize: choice c34bd22a-d077-4180-bf58-01db35bdb644 has no stepmatica equivalent",
    ]);
    expect(read.askEverything).toBe(false);
    const config = resolveConfig(PRESETS.automated, read.settings);
    expect(config).toMatchObject({
      normalize: "both",
      delete_packages_after_extraction: true,
      aip_compression: "7z",
    });
  });

  it("an empty <preconfiguredChoices/> asks at every decision point", () => {
    const read = readProcessingMcp("<processingMCP><preconfiguredChoices/></processingMCP>");
    expect(read.askEverything).toBe(true);
    const config = resolveConfig(PRESETS.default, read.settings);
    expect(askedKeys(config).sort()).toEqual([
      "aip_compression",
      "dip",
      "extract_packages",
      "normalize",
      "scan_for_viruses",
    ]);
  });

  it("refuses what is not a processing configuration, naming the file", () => {
    expect(() => readProcessingMcp("<processingMCP>", "t/processingMCP.xml")).toThrow(
      /t\/processingMCP\.xml: not well-formed/,
    );
    expect(() => readProcessingMcp("<other/>", "t/processingMCP.xml")).toThrow(/no <preconfiguredChoices>/);
  });
});
