import { describe, expect, it } from "vitest";
import type { EventRecord, FileRecord } from "../../../functions/core/model.ts";
import { buildMets, type MetsInput, type MetsPages, writeMetsPaged } from "../../../functions/mets/index.ts";
import { largeInput, sampleInput } from "./sample-aip.ts";

/** The sample package (derivatives, Dublin Core, unit events) plus 300 generated files. */
function mixedInput(): MetsInput {
  const sample = sampleInput();
  // File 0 of largeInput has event ids the sample's events use too: leave it out.
  const large = largeInput(301);
  const files = large.files.slice(1);
  const events = large.events.filter((e) => e.fileId !== large.files[0]!.file.id);
  return { ...sample, files: [...sample.files, ...files], events: [...sample.events, ...events] };
}

/** A paged source over the input, recording every request it is asked. */
function recordingPages(input: MetsInput, pageSize: number) {
  const byId = new Map(input.files.map(({ file }) => [file.id, file]));
  const requests: string[][] = [];
  let outstanding = 0;
  let mostOutstanding = 0;
  const later = async <T>(work: () => T): Promise<T> => {
    await new Promise((resolve) => setImmediate(resolve));
    return work();
  };
  /** Records requests are counted while unanswered: more than one at once would be two pages held. */
  const answer = async <T>(work: () => T): Promise<T> => {
    outstanding++;
    mostOutstanding = Math.max(mostOutstanding, outstanding);
    try {
      return await later(work);
    } finally {
      outstanding--;
    }
  };
  const pages: MetsPages = {
    pageSize,
    recordsOf: (ids) => {
      requests.push(ids);
      return answer(() => ids.map((id) => byId.get(id)).filter((f): f is FileRecord => f !== undefined));
    },
    eventsOf: (ids) => {
      const wanted = new Set(ids);
      return later(() =>
        input.events.filter((e): e is EventRecord => e.fileId !== null && wanted.has(e.fileId)),
      );
    },
  };
  return { pages, requests, mostOutstanding: () => mostOutstanding };
}

/** What the paged writer is given up front: files without tool output, the unit's own events. */
function outlineOf(input: MetsInput): MetsInput {
  return {
    ...input,
    files: input.files.map(({ file, href }) => ({ file: { ...file, characteristics: null }, href })),
    events: input.events.filter((e) => e.fileId === null),
  };
}

async function writePaged(input: MetsInput, pages: MetsPages): Promise<string> {
  const chunks: string[] = [];
  await writeMetsPaged(input, pages, (chunk) => chunks.push(chunk));
  return chunks.join("");
}

describe("writeMetsPaged", () => {
  it("reads the files' records a page at a time, each once, and writes the same bytes as writeMets", async () => {
    const input = mixedInput();
    const { pages, requests, mostOutstanding } = recordingPages(input, 50);
    const paged = await writePaged(outlineOf(input), pages);

    expect(paged).toBe(buildMets(input));
    // 304 files in pages of 50: 7 requests, none larger than a page, no file asked twice, one at a time.
    expect(requests.map((ids) => ids.length)).toEqual([50, 50, 50, 50, 50, 50, 4]);
    expect(new Set(requests.flat()).size).toBe(input.files.length);
    expect(mostOutstanding()).toBe(1);
  });

  it("finds the normalization event of a derivative whose source is on another page", async () => {
    const input = sampleInput();
    const { pages, requests } = recordingPages(input, 1);
    const paged = await writePaged(outlineOf(input), pages);
    expect(paged).toBe(buildMets(input));
    expect(paged).toContain("is source of");
    expect(requests.every((ids) => ids.length === 1)).toBe(true);
  });

  it("refuses file events given up front (they come from the pages)", async () => {
    const input = sampleInput();
    const { pages } = recordingPages(input, 10);
    await expect(writePaged(input, pages)).rejects.toThrow(/unit's own events only/);
  });

  it("names an event about a file that is not in the package", async () => {
    const input = sampleInput();
    const stray = { ...input.events[1]!, id: "00000000-0000-4000-8000-0000000000ff", fileId: "not-a-file" };
    const { pages } = recordingPages({ ...input, events: [...input.events, stray] }, 2);
    // The stray event is asked for only if its file is on a page: put it on one by naming it related.
    const withStray: MetsPages = {
      ...pages,
      eventsOf: async (ids) => [...(await pages.eventsOf(ids)), stray],
    };
    await expect(writePaged(outlineOf(input), withStray)).rejects.toThrow(
      /is about file not-a-file, not in files/,
    );
  });
});
