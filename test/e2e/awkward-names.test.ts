import { existsSync } from "node:fs";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../functions/cli/runtime.ts";
import { sipIdOf } from "../../functions/core/ids.ts";
import { parseMetsSummary } from "../../functions/mets/summary.ts";
import { pathOfUriReference, uriReferenceOf } from "../../functions/mets/uri.ts";
import { stepmatica } from "../helpers/cli.ts";
import { tempDir } from "../helpers/fixtures.ts";
import { expectValidAip, listTree } from "./aip-checks.ts";

/**
 * File names hold any character a file system allows. A transfer of such names goes through the
 * whole pipeline and its AIP's METS is schema-valid: every FLocat href is a URI reference that
 * names, once decoded, a file that is in the package.
 */
const KEPT = [
  "50% draft.txt",
  "%41 is not A.txt",
  "#1 notes.txt",
  "[list]_reply.rtf",
  "Übersicht café 東京.txt",
  "a space/100% #2.txt",
];
/** Names "Change filenames" cleans (control characters, "?"): their hrefs are of the new names. */
const RENAMED = ["what?.txt", "bell\u0001.txt", "tab\there.txt"];

/** RFC 3986: a path of pchars (unreserved, sub-delims, ":", "@", percent-encoded bytes) and "/". */
const URI_PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})+$/;

let root: string;
beforeAll(async () => {
  root = await tempDir("awkward-names");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("a transfer of awkward file names", () => {
  it("makes an AIP whose METS validates, with an href for every file that leads to it", async () => {
    const source = path.join(root, "awkward deposit");
    for (const name of [...KEPT, ...RENAMED]) {
      await mkdir(path.dirname(path.join(source, name)), { recursive: true });
      await writeFile(path.join(source, name), `the file called ${JSON.stringify(name)}\n`);
    }
    const home = path.join(root, "home");
    const out = path.join(root, "aips");
    const run = await stepmatica(["run", source, "--out", out, "--config", "automated", "--json"], {
      STEPMATICA_HOME: home,
    });
    expect(run.code, run.stderr).toBe(0);
    const aip = String(run.json!.aip);
    const xml = await expectValidAip(aip, source, KEPT);

    const hrefs = parseMetsSummary(xml)
      .files.map((f) => f.href)
      .filter((href) => href !== null);
    for (const name of KEPT) expect(hrefs).toContain(uriReferenceOf(`objects/${name}`));
    expect(hrefs).toContain("objects/50%25%20draft.txt");
    expect(hrefs).toContain("objects/%5Blist%5D_reply.rtf");
    expect(hrefs.length).toBeGreaterThanOrEqual(KEPT.length + RENAMED.length);
    for (const href of hrefs) {
      expect(href).toMatch(URI_PATH);
      expect(existsSync(path.join(aip, "data", ...pathOfUriReference(href).split("/"))), href).toBe(true);
    }

    // The AIP is an uncompressed folder (automated): its recorded size, which the dashboard shows, is
    // the whole package's (the sum of its files), not the folder entry's.
    const files = await listTree(aip);
    const total = (await Promise.all(files.map(async (f) => (await stat(path.join(aip, f))).size))).reduce(
      (sum, size) => sum + size,
      0,
    );
    const rt = await openRuntime({ home, out, workers: false });
    try {
      const record = await rt.store.getAip(sipIdOf(String(run.json!.id)));
      expect(record?.location).toBe(aip);
      expect(record?.size).toBe(total);
    } finally {
      await rt.close();
    }
  }, 180_000);
});
