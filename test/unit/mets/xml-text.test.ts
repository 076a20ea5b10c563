import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalJson, creatingApplicationOf } from "../../../functions/mets/characteristics.ts";
import { attrValue, scanXml } from "../../../functions/mets/xml-scan.ts";
import { escapeAttr, escapeText, XmlWriter } from "../../../functions/mets/xml-writer.ts";
import { validateMetsXml } from "../../helpers/xsd.ts";

describe("escaping", () => {
  it("escapes markup in text and keeps line breaks that XML would otherwise normalize", () => {
    expect(escapeText("a & b < c > d\r\n\te")).toBe("a &amp; b &lt; c &gt; d&#13;\n\te");
    expect(escapeAttr('say "hi" & <go>\r\n\t')).toBe("say &quot;hi&quot; &amp; &lt;go&gt;&#13;&#10;&#9;");
  });

  it("spells characters XML 1.0 cannot carry as \\uXXXX and keeps valid pairs and non-ASCII", () => {
    expect(escapeText("bell\u0007 nul\u0000 \uFFFE")).toBe("bell\\u0007 nul\\u0000 \\uFFFE");
    expect(escapeText("lone \uD800 and \uDC00")).toBe("lone \\uD800 and \\uDC00");
    expect(escapeText("emoji 😀 Ünïcødé")).toBe("emoji 😀 Ünïcødé");
  });

  it("round-trips escaped attributes and text through the scanner", () => {
    const chunks: string[] = [];
    const w = new XmlWriter((c) => chunks.push(c));
    const label = "a\r\nb\t\"c\" & <d> 'e' Ø";
    w.open("x:root", [
      ["xmlns:x", "urn:test"],
      ["label", label],
      ["skipped", undefined],
    ]);
    w.leaf("x:leaf", label);
    w.close("x:root");
    w.flush();
    const xml = chunks.join("");
    expect(xml).not.toContain("skipped");
    const seen: string[] = [];
    scanXml(xml, {
      start(tag) {
        if (tag.local === "root") seen.push(attrValue(tag, "label") ?? "");
      },
      text(text, open) {
        if (open[open.length - 1]?.local === "leaf") seen.push(text);
      },
    });
    // Text content keeps \r via &#13;; a real parser would give the same.
    expect(seen).toEqual([label, label]);
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every level and never throws on odd values", () => {
    const cyclic: Record<string, unknown> = { b: 1n, a: [undefined, Number.NaN, new Date(0)] };
    cyclic.self = cyclic;
    expect(canonicalJson({ z: { y: 1, x: 2 }, a: "\u0001" })).toBe('{"a":"\\u0001","z":{"x":2,"y":1}}');
    expect(canonicalJson(cyclic)).toBe(
      '{"a":[null,null,"1970-01-01T00:00:00.000Z"],"b":"1","self":"[Circular]"}',
    );
  });

  it("finds the creating application in embedded-metadata tags", () => {
    expect(creatingApplicationOf({ exiftool: { Producer: "LibreOffice 7", Software: "Writer" } })).toBe(
      "Writer",
    );
    expect(creatingApplicationOf({ siegfried: { matches: [] } })).toBeNull();
    expect(creatingApplicationOf(null)).toBeNull();
  });
});

describe("validateMetsXml without schemas", () => {
  it("fails with a message naming the missing schema file", async () => {
    const missing = path.join(os.tmpdir(), "stepmatica-no-schemas-here");
    await expect(validateMetsXml("<x/>", { schemasDir: missing })).rejects.toThrow(
      /METS validation needs .*stepmatica-no-schemas-here.*mets\.xsd/,
    );
  });
});
