import { describe, expect, it } from "vitest";
import { dublinCoreFromCsv, MetadataCsvError, parseCsv } from "../../../functions/tasks/metadata-csv.ts";

describe("metadata.csv", () => {
  it("parses quoted fields, repeated columns and keeps non-DC columns (same result twice)", () => {
    const text =
      'filename,dc.title,dc.subject,dc.subject,other\r\nobjects/,"A, ""quoted"" title",x,y,z\r\nobjects/a.txt,"two\nlines",,,\r\n';
    const first = dublinCoreFromCsv(text, "metadata/metadata.csv");
    expect(dublinCoreFromCsv(text, "metadata/metadata.csv")).toEqual(first);
    expect(first.other).toEqual(["other"]);
    expect(first.entries).toEqual([
      {
        target: "objects",
        fields: { "dc.title": ['A, "quoted" title'], "dc.subject": ["x", "y"], other: ["z"] },
      },
      { target: "objects/a.txt", fields: { "dc.title": ["two\nlines"] } },
    ]);
  });

  it("reads old-Mac \\r line endings and a UTF-8 byte-order mark, DCMI Terms columns included", () => {
    const text = "\uFEFFfilename,dc.provenance,dcterms.isPartOf\robjects/a.txt,Donated,Papers\r";
    expect(dublinCoreFromCsv(text, "metadata/metadata.csv")).toEqual({
      entries: [
        { target: "objects/a.txt", fields: { "dc.provenance": ["Donated"], "dcterms.isPartOf": ["Papers"] } },
      ],
      other: [],
    });
  });

  it("refuses a bad file naming the file and the line", () => {
    expect(() => dublinCoreFromCsv("name,dc.title\nobjects,x\n", "m.csv")).toThrow(
      /m.csv line 1: the first column must be "filename"/,
    );
    expect(() => dublinCoreFromCsv("filename,dc.title\ndata/x,y\n", "m.csv")).toThrow(/m.csv line 2/);
    expect(() => dublinCoreFromCsv("filename,dc.title\nobjects,a\nobjects/,b\n", "m.csv")).toThrow(
      MetadataCsvError,
    );
    expect(() => parseCsv('a,"b\n', "m.csv")).toThrow(/not closed/);
  });
});
